import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { BROKER_LOOKUP_ACTIONS, type StrategyBinding } from './binding';
import { validateLambdaVersion } from './claims';
import { AUDIT_EVENT, ENV, SOURCE, STRATEGY } from '../private/contract';
import type { ImpersonationHost, StrategyResources } from '../private/host';
import type { CustomChallengeStrategyOptions } from '../strategy';

/**
 * The customChallenge strategy: a dedicated app client with custom auth, the four triggers
 * that fence it, a rotated HMAC key in Secrets Manager, and the broker.
 */
export class CustomChallengeBinding implements StrategyBinding {
  public readonly strategyName = STRATEGY.CUSTOM_CHALLENGE;
  private readonly lambdaVersion: cognito.LambdaVersion;
  private readonly tokenValidity: Duration;
  private readonly keyRotationInterval: Duration;

  constructor(options: CustomChallengeStrategyOptions) {
    this.lambdaVersion = validateLambdaVersion('customChallenge', options.lambdaVersion);
    this.tokenValidity = options.tokenValidity ?? Duration.minutes(15);
    this.keyRotationInterval = options.keyRotationInterval ?? Duration.days(30);
    const minutes = this.tokenValidity.toMinutes({ integral: false });
    if (!Token.isUnresolved(minutes) && (!Number.isInteger(minutes) || minutes < 5 || minutes > 60)) {
      throw new Error(`ImpersonationStrategy.customChallenge: tokenValidity must be whole minutes from 5 to 60, got ${this.tokenValidity.toHumanString()}`);
    }
    const days = this.keyRotationInterval.toDays({ integral: false });
    if (!Token.isUnresolved(days) && (!Number.isInteger(days) || days < 1 || days > 365)) {
      throw new Error(`ImpersonationStrategy.customChallenge: keyRotationInterval must be whole days from 1 to 365, got ${this.keyRotationInterval.toHumanString()}`);
    }
  }

  public bind(scope: Construct, host: ImpersonationHost): StrategyResources {
    const stack = Stack.of(scope);
    const userPool = host.userPool;

    // The dedicated client: confidential, custom auth only, short-lived tokens, revocable.
    const impersonationClient = new cognito.UserPoolClient(scope, 'ImpersonationClient', {
      userPool,
      userPoolClientName: 'cdk-cognito-impersonation',
      generateSecret: true,
      authFlows: { custom: true },
      disableOAuth: true,
      accessTokenValidity: this.tokenValidity,
      idTokenValidity: this.tokenValidity,
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

    const define = host.addFunction(scope, 'DefineAuthChallenge', {
      source: SOURCE.DEFINE_AUTH_CHALLENGE,
      description: 'Cognito Define Auth Challenge trigger: one custom challenge, on the impersonation client only',
      environment: triggerEnvironment,
    });
    const create = host.addFunction(scope, 'CreateAuthChallenge', {
      source: SOURCE.CREATE_AUTH_CHALLENGE,
      description: 'Cognito Create Auth Challenge trigger: a one-time nonce per impersonation sign-in',
      environment: triggerEnvironment,
    });
    const verify = host.addFunction(scope, 'VerifyAuthChallenge', {
      source: SOURCE.VERIFY_AUTH_CHALLENGE,
      description: 'Cognito Verify Auth Challenge trigger: checks the broker\'s HMAC assertion',
      environment: { ...triggerEnvironment, [ENV.SECRET_ARN]: signingKey.secretArn },
    });
    const preToken = host.addFunction(scope, 'PreTokenGeneration', {
      source: SOURCE.PRE_TOKEN_GENERATION,
      description: 'Cognito Pre Token Generation trigger: marks impersonation tokens with act, refuses their refresh',
      environment: { ...triggerEnvironment, [ENV.STRATEGY]: this.strategyName, [ENV.SECRET_ARN]: signingKey.secretArn },
      refusesByThrowing: true,
    });
    for (const fn of [define, create, verify, preToken]) {
      fn.addToRolePolicy(readClientId);
    }
    readKey(verify);
    readKey(preToken);

    host.attachTrigger(cognito.UserPoolOperation.DEFINE_AUTH_CHALLENGE, define);
    host.attachTrigger(cognito.UserPoolOperation.CREATE_AUTH_CHALLENGE, create);
    host.attachTrigger(cognito.UserPoolOperation.VERIFY_AUTH_CHALLENGE_RESPONSE, verify);
    host.attachTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, preToken, this.lambdaVersion);

    const broker = host.addFunction(scope, 'Broker', {
      source: SOURCE.BROKER,
      description: 'Impersonation broker: verifies the admin and obtains the target\'s short-lived tokens',
      environment: {
        [ENV.STRATEGY]: this.strategyName,
        [ENV.USER_POOL_ID]: userPool.userPoolId,
        [ENV.CLIENT_ID]: impersonationClient.userPoolClientId,
        [ENV.SECRET_ARN]: signingKey.secretArn,
      },
      timeout: Duration.seconds(15),
      memorySize: 512,
    });
    host.addPoolPolicy(scope, 'BrokerPolicy', broker, new iam.PolicyStatement({
      actions: [
        ...BROKER_LOOKUP_ACTIONS,
        // the dedicated client's secret, for SECRET_HASH
        'cognito-idp:DescribeUserPoolClient',
        // the custom-auth sign-in of the target
        'cognito-idp:AdminInitiateAuth',
        'cognito-idp:AdminRespondToAuthChallenge',
      ],
      resources: [userPool.userPoolArn],
    }));
    readKey(broker);

    this.addRotation(scope, host, signingKey, userPool.userPoolId);

    return {
      brokerFunction: broker,
      impersonationClient,
      signingKey,
      challengeFailureAlarm: host.addAuditAlarm('ChallengeFailures', {
        metricName: 'ChallengeFailures',
        condition: host.auditCondition('event', AUDIT_EVENT.CHALLENGE_FAILED),
        threshold: host.challengeFailureAlarmThreshold,
        description: `Impersonation: ${host.challengeFailureAlarmThreshold} or more failed custom-auth challenges in 5 minutes `
          + '(wrong client, forged, replayed or expired assertion).',
      }),
      keyRotationFailureAlarm: host.addAuditAlarm('KeyRotationFailures', {
        metricName: 'KeyRotationFailures',
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
  private addRotation(scope: Construct, host: ImpersonationHost, signingKey: secretsmanager.Secret, userPoolId: string): void {
    const rotate = host.addFunction(scope, 'RotateKey', {
      source: SOURCE.ROTATE_KEY,
      description: 'Rotates the impersonation signing key (Secrets Manager rotation function)',
      environment: { [ENV.SECRET_ARN]: signingKey.secretArn, [ENV.USER_POOL_ID]: userPoolId },
      timeout: Duration.seconds(30),
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
    const permission = new lambda.CfnPermission(scope, 'RotateKeyInvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: rotate.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceArn: signingKey.secretArn,
    });
    const schedule = new secretsmanager.CfnRotationSchedule(scope, 'SigningKeyRotation', {
      secretId: signingKey.secretArn,
      rotationLambdaArn: rotate.functionArn,
      rotationRules: { scheduleExpression: `rate(${this.keyRotationInterval.toDays()} days)` },
    });
    schedule.addDependency(permission);
    schedule.node.addDependency(rotate);
  }
}
