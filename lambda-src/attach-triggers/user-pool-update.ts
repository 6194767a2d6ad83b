import type {
  LambdaConfigType,
  UpdateUserPoolRequest,
  UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';

/**
 * DescribeUserPool fields that UpdateUserPool does not take: identity, status and
 * statistics, and what is fixed when a pool is created (schema, sign-in attributes,
 * username case sensitivity) or managed by other calls (domains). `Name` comes back as
 * `PoolName`.
 */
export const READ_ONLY_FIELDS = [
  'Id',
  'Name',
  'Arn',
  'Status',
  'CreationDate',
  'LastModifiedDate',
  'SchemaAttributes',
  'AliasAttributes',
  'UsernameAttributes',
  'UsernameConfiguration',
  'EstimatedNumberOfUsers',
  'SmsConfigurationFailure',
  'EmailConfigurationFailure',
  'Domain',
  'CustomDomain',
] as const satisfies readonly (keyof UserPoolType)[];

/**
 * UpdateUserPool parameters that DescribeUserPool reports under the same name, passed
 * back unchanged. UpdateUserPool resets every parameter it is not given to its default.
 */
export const PRESERVED_FIELDS = [
  'Policies',
  'DeletionProtection',
  'AutoVerifiedAttributes',
  'SmsVerificationMessage',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'VerificationMessageTemplate',
  'SmsAuthenticationMessage',
  'UserAttributeUpdateSettings',
  'MfaConfiguration',
  'DeviceConfiguration',
  'EmailConfiguration',
  'SmsConfiguration',
  'UserPoolTags',
  'AdminCreateUserConfig',
  'UserPoolAddOns',
  'DcrConfiguration',
  'AccountRecoverySetting',
  'UserPoolTier',
  'KeyConfiguration',
  'IssuerConfiguration',
  'AcrConfiguration',
] as const satisfies readonly (keyof UpdateUserPoolRequest & keyof UserPoolType)[];

// Compile-time guard: when a newer SDK adds a parameter to UpdateUserPool or a field to
// DescribeUserPool, this stops type-checking until the new name is classified above.
type Handled = (typeof PRESERVED_FIELDS)[number] | 'UserPoolId' | 'PoolName' | 'LambdaConfig';
type UnhandledParameter = Exclude<keyof UpdateUserPoolRequest, Handled>;
type UnclassifiedField = Exclude<keyof UserPoolType, Handled | (typeof READ_ONLY_FIELDS)[number]>;
const everyFieldClassified: [UnhandledParameter | UnclassifiedField] extends [never] ? true : UnhandledParameter | UnclassifiedField = true;
void everyFieldClassified;

const READ_ONLY = new Set<string>(READ_ONLY_FIELDS);

/**
 * The UpdateUserPool request that leaves the described pool as it is, except for its
 * LambdaConfig.
 *
 * Every field DescribeUserPool returned is passed back except the read-only ones, not
 * only the ones listed in PRESERVED_FIELDS: a setting Cognito adds later is then either
 * kept or refused by Cognito (the deployment fails and the pool is unchanged), never
 * silently reset.
 */
export function toUpdateUserPoolInput(pool: UserPoolType, lambdaConfig: LambdaConfigType): UpdateUserPoolRequest {
  // A deep copy: the described pool is also what is logged and compared.
  const described = structuredClone(pool) as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(described)) {
    if (value !== undefined && value !== null && !READ_ONLY.has(key)) {
      input[key] = value;
    }
  }
  const request = {
    ...input,
    UserPoolId: pool.Id,
    PoolName: pool.Name,
    LambdaConfig: lambdaConfig,
  } as UpdateUserPoolRequest;
  moveUnusedAccountValidityDays(request);
  return request;
}

/**
 * DescribeUserPool may still report the deprecated
 * `AdminCreateUserConfig.UnusedAccountValidityDays`, and UpdateUserPool refuses it
 * ("Please use TemporaryPasswordValidityDays in PasswordPolicy instead of
 * UnusedAccountValidityDays"). Its value lives on as the password policy's
 * `TemporaryPasswordValidityDays` unless that is already set.
 */
function moveUnusedAccountValidityDays(request: UpdateUserPoolRequest): void {
  const days = request.AdminCreateUserConfig?.UnusedAccountValidityDays;
  if (days === undefined || days === null) return;
  const { UnusedAccountValidityDays: _deprecated, ...adminCreateUserConfig } = request.AdminCreateUserConfig!;
  request.AdminCreateUserConfig = adminCreateUserConfig;
  const passwordPolicy = request.Policies?.PasswordPolicy;
  if (passwordPolicy?.TemporaryPasswordValidityDays === undefined) {
    request.Policies = {
      ...request.Policies,
      PasswordPolicy: { ...passwordPolicy, TemporaryPasswordValidityDays: days },
    };
  }
}
