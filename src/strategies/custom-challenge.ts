import { Annotations, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BROKER_LOOKUP_ACTIONS } from './broker';
import type { CustomChallengeStrategyOptions } from './custom-challenge-options';
import { validateLambdaVersion } from './pre-token-trigger';
import { AUDIT_EVENT, ENV, PATTERN, SELF_SERVICE_SCOPE, SOURCE, STRATEGY } from '../private/contract';
import { INVOCATION, type ImpersonationHost, type StrategyResources, brokerInvocation } from '../private/host';
import { checkWholeNumber } from '../private/validation';

/** The metrics of the customChallenge strategy's audit alarms (the construct's metric methods return them). */
export const CUSTOM_CHALLENGE_METRIC = {
  CHALLENGE_FAILURES: 'ChallengeFailures',
  KEY_ROTATION_FAILURES: 'KeyRotationFailures',
} as const;

/** The customChallenge strategy's options, checked, with their defaults. */
export interface CustomChallengeSettings {
  readonly lambdaVersion: cognito.LambdaVersion;
  readonly tokenValidity: Duration;
  readonly keyRotationInterval: Duration;
  readonly challengeFailureAlarmThreshold: number;
  /** The team's scopes to remove from impersonation access tokens (the self-service scope always is). */
  readonly suppressedScopes: string[];
}

/** Throws a clear error on an invalid option, at the factory call. */
export function customChallengeSettings(options: CustomChallengeStrategyOptions): CustomChallengeSettings {
  const lambdaVersion = validateLambdaVersion('customChallenge', options.lambdaVersion);
  const tokenValidity = options.tokenValidity ?? Duration.minutes(15);
  const keyRotationInterval = options.keyRotationInterval ?? Duration.days(30);
  const minutes = tokenValidity.toMinutes({ integral: false });
  if (!Token.isUnresolved(minutes) && (!Number.isInteger(minutes) || minutes < 5 || minutes > 60)) {
    throw new Error(`ImpersonationStrategy.customChallenge: tokenValidity must be whole minutes from 5 to 60, got ${tokenValidity.toHumanString()}`);
  }
  const days = keyRotationInterval.toDays({ integral: false });
  if (!Token.isUnresolved(days) && (!Number.isInteger(days) || days < 1 || days > 365)) {
    throw new Error(`ImpersonationStrategy.customChallenge: keyRotationInterval must be whole days from 1 to 365, got ${keyRotationInterval.toHumanString()}`);
  }
  checkWholeNumber('ImpersonationStrategy.customChallenge', 'challengeFailureAlarmThreshold', options.challengeFailureAlarmThreshold,
    1, Number.MAX_SAFE_INTEGER);
  return {
    lambdaVersion,
    tokenValidity,
    keyRotationInterval,
    challengeFailureAlarmThreshold: options.challengeFailureAlarmThreshold ?? 1,
    suppressedScopes: suppressedScopesOf(options.suppressedScopes ?? [], lambdaVersion),
  };
}

/** At most this many scopes: each is a string in every impersonation's trigger response. */
const MAX_SUPPRESSED_SCOPES = 50;

function suppressedScopesOf(scopes: string[], lambdaVersion: cognito.LambdaVersion): string[] {
  const fail = (why: string): never => {
    throw new Error(`ImpersonationStrategy.customChallenge: suppressedScopes ${why}`);
  };
  if (scopes.length > MAX_SUPPRESSED_SCOPES) fail(`may name at most ${MAX_SUPPRESSED_SCOPES} scopes, got ${scopes.length}`);
  for (const scope of scopes) {
    if (Token.isUnresolved(scope) || !PATTERN.SCOPE.test(scope)) {
      fail(`must be OAuth scope names (1-256 visible ASCII characters, no spaces, quotes or backslashes), got '${scope}'`);
    }
  }
  if (scopes.length > 0 && lambdaVersion !== cognito.LambdaVersion.V2_0) fail('needs lambdaVersion V2_0: a V1_0 trigger cannot change access tokens');
  return [...new Set(scopes.filter((s) => s !== SELF_SERVICE_SCOPE))];
}

/**
 * The customChallenge strategy: a dedicated app client with custom auth, the four triggers
 * that fence it, a rotated HMAC key in Secrets Manager, and the broker.
 */
export function defineCustomChallenge(host: ImpersonationHost, settings: CustomChallengeSettings): StrategyResources {
  const scope = host.scope;
  const stack = Stack.of(scope);
  const userPool = host.userPool;
  if (settings.lambdaVersion === cognito.LambdaVersion.V1_0) {
    Annotations.of(scope).addWarningV2('cdk-cognito-impersonation:customChallengeV1Scopes',
      `customChallenge with lambdaVersion V1_0 cannot change access tokens: impersonation access tokens keep ${SELF_SERVICE_SCOPE}, `
      + 'so an impersonator can call Cognito\'s self-service APIs as the user (change attributes, MFA, password, delete the account). '
      + 'Use V2_0 (Essentials or Plus feature plan) to suppress it.');
  }

  // The dedicated client: confidential, custom auth only, short-lived tokens, revocable.
  const impersonationClient = new cognito.UserPoolClient(scope, 'ImpersonationClient', {
    userPool,
    userPoolClientName: 'cdk-cognito-impersonation',
    generateSecret: true,
    authFlows: { custom: true },
    disableOAuth: true,
    accessTokenValidity: settings.tokenValidity,
    idTokenValidity: settings.tokenValidity,
    // The minimum Cognito allows; the broker never hands a refresh token out anyway.
    refreshTokenValidity: Duration.minutes(60),
    enableTokenRevocation: true,
    preventUserExistenceErrors: true,
  });

  // Triggers cannot reference the client (the pool depends on its triggers, the client on
  // the pool): they read its id from this parameter, by a name fixed at synth time.
  const parameterName = `/cdk-cognito-impersonation/${stack.stackName}/${Names.nodeUniqueId(scope.node)}/client-id`;
  new ssm.StringParameter(scope, 'ImpersonationClientIdParameter', {
    parameterName,
    stringValue: impersonationClient.userPoolClientId,
    description: 'Id of the dedicated impersonation app client, read by the custom-auth triggers',
  });
  const parameterArn = stack.formatArn({
    service: 'ssm', resource: 'parameter', resourceName: parameterName.slice(1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  const readClientId = new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameterArn] });

  // The HMAC key: 64 random alphanumerics at creation, 32 random bytes at each rotation.
  const signingKey = new secretsmanager.Secret(scope, 'SigningKey', {
    description: 'HMAC key the impersonation broker signs custom-auth challenge answers with (cdk-cognito-impersonation)',
    encryptionKey: host.encryptionKey,
    generateSecretString: {
      secretStringTemplate: '{}',
      generateStringKey: 'key',
      passwordLength: 64,
      excludePunctuation: true,
    },
    // The key is worthless without the construct; keeping it would only keep a risk.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const readKey = (fn: lambda.Function) => {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [signingKey.secretArn] }));
    host.encryptionKey?.grant(fn, 'kms:Decrypt');
  };
  const triggerEnvironment = { [ENV.CLIENT_ID_PARAMETER]: parameterName };

  const define = host.addFunction('DefineAuthChallenge', {
    source: SOURCE.DEFINE_AUTH_CHALLENGE,
    description: 'Cognito Define Auth Challenge trigger: one custom challenge, on the impersonation client only',
    environment: triggerEnvironment,
    invocation: INVOCATION.TRIGGER,
  });
  const create = host.addFunction('CreateAuthChallenge', {
    source: SOURCE.CREATE_AUTH_CHALLENGE,
    description: 'Cognito Create Auth Challenge trigger: a one-time nonce per impersonation sign-in',
    environment: triggerEnvironment,
    invocation: INVOCATION.TRIGGER,
  });
  const verify = host.addFunction('VerifyAuthChallenge', {
    source: SOURCE.VERIFY_AUTH_CHALLENGE,
    description: 'Cognito Verify Auth Challenge trigger: checks the broker\'s HMAC assertion',
    environment: { ...triggerEnvironment, [ENV.SECRET_ARN]: signingKey.secretArn },
    invocation: INVOCATION.TRIGGER,
  });
  const preToken = host.addFunction('PreTokenGeneration', {
    source: SOURCE.PRE_TOKEN_GENERATION,
    description: 'Cognito Pre Token Generation trigger: marks impersonation tokens with act, refuses their refresh',
    environment: {
      ...triggerEnvironment,
      [ENV.STRATEGY]: STRATEGY.CUSTOM_CHALLENGE,
      [ENV.SECRET_ARN]: signingKey.secretArn,
      ...(settings.suppressedScopes.length > 0 ? { [ENV.SUPPRESSED_SCOPES]: JSON.stringify(settings.suppressedScopes) } : {}),
    },
    refusesByThrowing: true,
    invocation: INVOCATION.TRIGGER,
  });
  for (const fn of [define, create, verify, preToken]) {
    fn.addToRolePolicy(readClientId);
  }
  readKey(verify);
  readKey(preToken);

  host.attachTrigger(cognito.UserPoolOperation.DEFINE_AUTH_CHALLENGE, define);
  host.attachTrigger(cognito.UserPoolOperation.CREATE_AUTH_CHALLENGE, create);
  host.attachTrigger(cognito.UserPoolOperation.VERIFY_AUTH_CHALLENGE_RESPONSE, verify);
  host.attachTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, preToken, settings.lambdaVersion);

  const broker = host.addFunction('Broker', {
    source: SOURCE.BROKER,
    description: 'Impersonation broker: verifies the admin and obtains the target\'s short-lived tokens',
    environment: {
      [ENV.STRATEGY]: STRATEGY.CUSTOM_CHALLENGE,
      [ENV.USER_POOL_ID]: userPool.userPoolId,
      [ENV.CLIENT_ID]: impersonationClient.userPoolClientId,
      [ENV.SECRET_ARN]: signingKey.secretArn,
    },
    timeout: Duration.seconds(15),
    memorySize: 512,
    invocation: brokerInvocation(host.brokerReservedConcurrency),
  });
  host.addPoolPolicy(broker, new iam.PolicyStatement({
    actions: [
      ...BROKER_LOOKUP_ACTIONS,
      ...host.brokerPoolActions,
      // the dedicated client's secret, for SECRET_HASH
      'cognito-idp:DescribeUserPoolClient',
      // the custom-auth sign-in of the target
      'cognito-idp:AdminInitiateAuth',
      'cognito-idp:AdminRespondToAuthChallenge',
    ],
    resources: [userPool.userPoolArn],
  }));
  readKey(broker);

  const keyRotationFunction = addRotation(host, signingKey, settings.keyRotationInterval);

  return {
    brokerFunction: broker,
    impersonationClient,
    signingKey,
    keyRotationFunction,
    challengeFailureAlarm: host.addAuditAlarm('ChallengeFailures', {
      metricName: CUSTOM_CHALLENGE_METRIC.CHALLENGE_FAILURES,
      condition: host.auditCondition('event', AUDIT_EVENT.CHALLENGE_FAILED),
      threshold: settings.challengeFailureAlarmThreshold,
      description: `Impersonation: ${settings.challengeFailureAlarmThreshold} or more failed custom-auth challenges in 5 minutes `
        + '(wrong client, forged, replayed or expired assertion).',
    }),
    keyRotationFailureAlarm: host.addAuditAlarm('KeyRotationFailures', {
      metricName: CUSTOM_CHALLENGE_METRIC.KEY_ROTATION_FAILURES,
      condition: host.auditCondition('event', AUDIT_EVENT.KEY_ROTATION_FAILED),
      threshold: 1,
      description: 'Impersonation: a rotation of the signing key failed.',
    }),
  };
}

/**
 * Rotation by the construct's own function, wired with the L1 schedule: the L2
 * `addRotationSchedule` would also grant `secretsmanager:GetRandomPassword` on `*`,
 * which this function does not call.
 */
function addRotation(host: ImpersonationHost, signingKey: secretsmanager.Secret, interval: Duration): lambda.IFunction {
  const rotate = host.addFunction('RotateKey', {
    source: SOURCE.ROTATE_KEY,
    description: 'Rotates the impersonation signing key (Secrets Manager rotation function)',
    environment: { [ENV.SECRET_ARN]: signingKey.secretArn, [ENV.USER_POOL_ID]: host.userPool.userPoolId },
    timeout: Duration.seconds(30),
    invocation: INVOCATION.ROTATION,
  });
  rotate.addToRolePolicy(new iam.PolicyStatement({
    actions: [
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ],
    resources: [signingKey.secretArn],
  }));
  host.encryptionKey?.grant(rotate, 'kms:Decrypt', 'kms:GenerateDataKey');
  const permission = new lambda.CfnPermission(rotate, 'SecretsManagerInvokePermission', {
    action: 'lambda:InvokeFunction',
    functionName: rotate.functionArn,
    principal: 'secretsmanager.amazonaws.com',
    sourceArn: signingKey.secretArn,
  });
  const schedule = new secretsmanager.CfnRotationSchedule(host.scope, 'SigningKeyRotation', {
    secretId: signingKey.secretArn,
    rotationLambdaArn: rotate.functionArn,
    rotationRules: { scheduleExpression: `rate(${interval.toDays()} days)` },
  });
  // node.addDependency: CfnResource#addDependency is deprecated in recent aws-cdk-lib, and
  // addResourceDependency is newer than the peer minimum.
  schedule.node.addDependency(permission);
  schedule.node.addDependency(rotate);
  return rotate;
}
