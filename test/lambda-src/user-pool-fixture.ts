import type { LambdaConfigType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';

/** The imported pool the trigger attachment tests work on. */
export const POOL_ID = 'eu-west-1_AbCdEf123';
export const POOL_ARN = `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${POOL_ID}`;

const FN = 'arn:aws:lambda:eu-west-1:123456789012:function';

/** The construct's functions. */
export const OURS = {
  preToken: `${FN}:TestStack-PreTokenGenerationFunction-1A2B3C`,
  preTokenNext: `${FN}:TestStack-PreTokenGenerationFunction-9Z8Y7X`,
  define: `${FN}:TestStack-DefineAuthChallengeFunction-4D5E6F`,
  create: `${FN}:TestStack-CreateAuthChallengeFunction-7G8H9I`,
  verify: `${FN}:TestStack-VerifyAuthChallengeFunction-0J1K2L`,
} as const;

/** The pool owner's functions, already in the pool. */
export const THEIRS = {
  preSignUp: `${FN}:app-pre-sign-up`,
  customMessage: `${FN}:app-custom-message`,
  postConfirmation: `${FN}:app-post-confirmation:live`,
  postAuthentication: `${FN}:app-post-authentication`,
  userMigration: `${FN}:app-user-migration:3`,
  emailSender: `${FN}:app-email-sender`,
  smsSender: `${FN}:app-sms-sender`,
  inboundFederation: `${FN}:app-inbound-federation`,
  preToken: `${FN}:app-pre-token`,
  define: `${FN}:app-define-challenge`,
} as const;

export const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const SMS_ROLE = 'arn:aws:iam::123456789012:role/service-role/app-cognito-sms';

/** The pool owner's triggers: everything but the slots the construct uses. */
export function existingTriggers(): LambdaConfigType {
  return {
    PreSignUp: THEIRS.preSignUp,
    CustomMessage: THEIRS.customMessage,
    PostConfirmation: THEIRS.postConfirmation,
    PostAuthentication: THEIRS.postAuthentication,
    UserMigration: THEIRS.userMigration,
    CustomEmailSender: { LambdaVersion: 'V1_0', LambdaArn: THEIRS.emailSender },
    CustomSMSSender: { LambdaVersion: 'V1_0', LambdaArn: THEIRS.smsSender },
    KMSKeyID: KMS_KEY,
    InboundFederation: { LambdaVersion: 'V1_0', LambdaArn: THEIRS.inboundFederation },
  };
}

/**
 * A DescribeUserPool result with every field DescribeUserPool can return set to a
 * non-default value, as a production pool with MFA, SES email, SNS SMS, threat
 * protection and the owner's own triggers would report it. A fresh copy on each call.
 */
export function describedPool(overrides: Partial<UserPoolType> = {}): UserPoolType {
  return {
    // Read-only: identity, status, statistics, fixed at creation, or managed elsewhere.
    Id: POOL_ID,
    Name: 'production-customers',
    Arn: POOL_ARN,
    Status: 'Enabled',
    CreationDate: new Date('2023-03-14T09:26:53Z'),
    LastModifiedDate: new Date('2026-01-02T03:04:05Z'),
    SchemaAttributes: [
      { Name: 'sub', AttributeDataType: 'String', DeveloperOnlyAttribute: false, Mutable: false, Required: true, StringAttributeConstraints: { MinLength: '1', MaxLength: '2048' } },
      { Name: 'email', AttributeDataType: 'String', DeveloperOnlyAttribute: false, Mutable: true, Required: true, StringAttributeConstraints: { MinLength: '0', MaxLength: '2048' } },
      { Name: 'custom:tenant', AttributeDataType: 'String', DeveloperOnlyAttribute: false, Mutable: true, Required: false, StringAttributeConstraints: { MinLength: '1', MaxLength: '64' } },
      { Name: 'custom:seats', AttributeDataType: 'Number', DeveloperOnlyAttribute: false, Mutable: true, Required: false, NumberAttributeConstraints: { MinValue: '1', MaxValue: '500' } },
    ],
    AliasAttributes: ['preferred_username'],
    UsernameAttributes: ['email'],
    UsernameConfiguration: { CaseSensitive: false },
    EstimatedNumberOfUsers: 48213,
    SmsConfigurationFailure: 'SNS sandbox: verify destination numbers',
    EmailConfigurationFailure: 'SES identity pending verification',
    Domain: 'production-customers',
    CustomDomain: 'auth.example.com',

    // Writable: UpdateUserPool resets each of these unless given back.
    Policies: {
      PasswordPolicy: {
        MinimumLength: 14,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        PasswordHistorySize: 12,
        TemporaryPasswordValidityDays: 3,
      },
      SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN', 'EMAIL_OTP'] },
    },
    DeletionProtection: 'ACTIVE',
    LambdaConfig: existingTriggers(),
    AutoVerifiedAttributes: ['email', 'phone_number'],
    SmsVerificationMessage: 'Your Example code is {####}',
    EmailVerificationMessage: 'Your Example verification code is {####}',
    EmailVerificationSubject: 'Verify your Example account',
    VerificationMessageTemplate: {
      SmsMessage: 'Your Example code is {####}',
      EmailMessage: 'Your Example verification code is {####}',
      EmailSubject: 'Verify your Example account',
      DefaultEmailOption: 'CONFIRM_WITH_CODE',
    },
    SmsAuthenticationMessage: 'Your Example sign-in code is {####}',
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    MfaConfiguration: 'ON',
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
    EmailConfiguration: {
      SourceArn: 'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
      ReplyToEmailAddress: 'support@example.com',
      EmailSendingAccount: 'DEVELOPER',
      From: 'Example <no-reply@example.com>',
      ConfigurationSet: 'cognito-transactional',
    },
    SmsConfiguration: { SnsCallerArn: SMS_ROLE, ExternalId: 'b8c1e3f0-sms-external-id', SnsRegion: 'eu-west-1' },
    UserPoolTags: { 'team': 'identity', 'cost-center': '4711' },
    AdminCreateUserConfig: {
      AllowAdminCreateUserOnly: true,
      // Deprecated, still reported; UpdateUserPool refuses it next to TemporaryPasswordValidityDays.
      UnusedAccountValidityDays: 3,
      InviteMessageTemplate: {
        SMSMessage: 'Your Example username is {username} and temporary password is {####}',
        EmailMessage: 'Welcome to Example, {username}. Your temporary password is {####}',
        EmailSubject: 'Your Example account',
      },
    },
    UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED', AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'AUDIT' } },
    DcrConfiguration: {
      EnableStatus: 'Enabled',
      OpenDcrEnabled: false,
      AuthenticatedGrantTypes: ['code'],
      AllowedScopes: ['openid', 'email'],
    },
    AccountRecoverySetting: {
      RecoveryMechanisms: [{ Priority: 1, Name: 'verified_email' }, { Priority: 2, Name: 'verified_phone_number' }],
    },
    UserPoolTier: 'PLUS',
    KeyConfiguration: { KeyType: 'CUSTOMER_MANAGED_KEY', KmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef' },
    IssuerConfiguration: { Type: 'UPDATED' },
    AcrConfiguration: { 1: { AcrValue: 'urn:example:password' }, 2: { AcrValue: 'urn:example:mfa' } },
    ...overrides,
  };
}
