import { Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CognitoImpersonation, ImpersonationStrategy } from '../../src';
import { ENV } from '../../src/private/contract';
import { assertAcyclic, type FixtureProps, grants, logicalId, stackWith } from '../helpers';

/** The construct with the customChallenge strategy, unless `props` name another. */
function build(
  props: Partial<FixtureProps> | ((stack: Stack) => FixtureProps) = {},
  configure?: (stack: Stack, impersonation: CognitoImpersonation) => void,
) {
  return stackWith(typeof props === 'function' ? props : { strategy: ImpersonationStrategy.customChallenge(), ...props }, configure);
}

describe('CognitoImpersonation with the customChallenge strategy', () => {
  test('snapshot', () => {
    expect(build().template.toJSON()).toMatchSnapshot();
  });

  test('the template has no circular reference (triggers read the client id from SSM)', () => {
    expect(() => assertAcyclic(build().template.toJSON())).not.toThrow();
    expect(() => assertAcyclic(build({ encryptionKey: undefined }).template.toJSON())).not.toThrow();
  });

  test('the dedicated client: secret, custom auth only, short tokens, revocation, no OAuth', () => {
    const { template, stack, userPool, impersonation } = build();
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))[0] as any;
    expect(client.Properties).toEqual({
      UserPoolId: { Ref: logicalId(stack, userPool) },
      ClientName: 'cdk-cognito-impersonation',
      GenerateSecret: true,
      // Cognito requires ALLOW_REFRESH_TOKEN_AUTH; refresh is refused by Pre Token Generation.
      ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlowsUserPoolClient: false,
      AccessTokenValidity: 15,
      IdTokenValidity: 15,
      RefreshTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(impersonation.impersonationClient).toBeDefined();
  });

  test('token validity is configurable from 5 to 60 minutes', () => {
    const { template } = build({ strategy: ImpersonationStrategy.customChallenge({ tokenValidity: Duration.minutes(5) }) });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AccessTokenValidity: 5, IdTokenValidity: 5 });
    for (const tokenValidity of [Duration.minutes(4), Duration.minutes(61), Duration.seconds(330)]) {
      expect(() => ImpersonationStrategy.customChallenge({ tokenValidity })).toThrow(/tokenValidity must be whole minutes from 5 to 60/);
    }
    for (const keyRotationInterval of [Duration.hours(12), Duration.days(366)]) {
      expect(() => ImpersonationStrategy.customChallenge({ keyRotationInterval })).toThrow(/keyRotationInterval must be whole days from 1 to 365/);
    }
  });

  test('the four triggers are wired to the construct\'s functions, Pre Token Generation as V2_0', () => {
    const { template, fn } = build();
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        DefineAuthChallenge: { 'Fn::GetAtt': [fn('DefineAuthChallenge'), 'Arn'] },
        CreateAuthChallenge: { 'Fn::GetAtt': [fn('CreateAuthChallenge'), 'Arn'] },
        VerifyAuthChallengeResponse: { 'Fn::GetAtt': [fn('VerifyAuthChallenge'), 'Arn'] },
        PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [fn('PreTokenGeneration'), 'Arn'] }, LambdaVersion: 'V2_0' },
      },
    });
  });

  test('V1_0 for Lite pools', () => {
    build({ strategy: ImpersonationStrategy.customChallenge({ lambdaVersion: cognito.LambdaVersion.V1_0 }) }).template
      .hasResourceProperties('AWS::Cognito::UserPool', { LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V1_0' } } });
  });

  test('triggers find the client through an SSM parameter whose name they hold as a literal', () => {
    const { template, fn, impersonation, stack } = build();
    const parameter = Object.values(template.findResources('AWS::SSM::Parameter'))[0] as any;
    expect(parameter.Properties.Value).toEqual({ Ref: logicalId(stack, impersonation.impersonationClient) });
    const name = parameter.Properties.Name;
    expect(name).toMatch(/^\/cdk-cognito-impersonation\/TestStack\/\w+\/client-id$/);
    const functions = template.findResources('AWS::Lambda::Function');
    for (const id of ['DefineAuthChallenge', 'CreateAuthChallenge', 'VerifyAuthChallenge', 'PreTokenGeneration']) {
      expect(functions[fn(id)].Properties.Environment.Variables[ENV.CLIENT_ID_PARAMETER]).toBe(name);
    }
  });

  describe('least privilege: each role holds exactly what its function calls', () => {
    const build1 = () => {
      const b = build();
      const parameter = Object.values(b.template.findResources('AWS::SSM::Parameter'))[0] as any;
      const parameterArn = {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:eu-west-1:123456789012:parameter${parameter.Properties.Name}`]],
      };
      const secret = { Ref: logicalId(b.stack, b.impersonation.signingKey) };
      return { ...b, parameterArn, secret };
    };

    test('Define and Create: the client id parameter and their logs', () => {
      const { template, role, parameterArn, logs } = build1();
      for (const id of ['DefineAuthChallenge', 'CreateAuthChallenge']) {
        expect(grants(template, role(id))).toEqual({
          'ssm:GetParameter': [parameterArn],
          'logs:CreateLogStream': [logs],
          'logs:PutLogEvents': [logs],
        });
      }
    });

    test('Verify and Pre Token Generation: also the signing key, read only', () => {
      const { template, role, parameterArn, secret, logs } = build1();
      for (const id of ['VerifyAuthChallenge', 'PreTokenGeneration']) {
        expect(grants(template, role(id))).toEqual({
          'ssm:GetParameter': [parameterArn],
          'secretsmanager:GetSecretValue': [secret],
          'logs:CreateLogStream': [logs],
          'logs:PutLogEvents': [logs],
        });
      }
    });

    test('Broker: the Cognito calls of a live check and a custom-auth sign-in, on this pool; the key, read only', () => {
      const { template, role, secret, pool, logs } = build1();
      expect(grants(template, role('Broker'))).toEqual({
        'cognito-idp:AdminGetUser': [pool],
        'cognito-idp:AdminListGroupsForUser': [pool],
        'cognito-idp:ListUsers': [pool],
        'cognito-idp:DescribeUserPoolClient': [pool],
        'cognito-idp:AdminInitiateAuth': [pool],
        'cognito-idp:AdminRespondToAuthChallenge': [pool],
        'secretsmanager:GetSecretValue': [secret],
        'logs:CreateLogStream': [logs],
        'logs:PutLogEvents': [logs],
      });
    });

    test('RotateKey: the four rotation calls on this secret only, no GetRandomPassword on *', () => {
      const { template, role, secret, logs } = build1();
      expect(grants(template, role('RotateKey'))).toEqual({
        'secretsmanager:DescribeSecret': [secret],
        'secretsmanager:GetSecretValue': [secret],
        'secretsmanager:PutSecretValue': [secret],
        'secretsmanager:UpdateSecretVersionStage': [secret],
        'logs:CreateLogStream': [logs],
        'logs:PutLogEvents': [logs],
      });
    });

    test('no Cognito, Secrets Manager or SSM action anywhere on a wildcard resource or with a wildcard', () => {
      const { template } = build1();
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      for (const s of statements) {
        for (const action of [s.Action].flat()) expect(action).not.toContain('*');
        if ([s.Action].flat().some((a: string) => /^(cognito-idp|secretsmanager|ssm):/.test(a))) {
          expect([s.Resource].flat()).not.toContain('*');
        }
      }
    });

    test('with a KMS key: readers may decrypt, the rotation function may also generate data keys', () => {
      let key: kms.Key | undefined;
      const { stack, template: t, role: roleOf } = build((s: Stack) => {
        key = new kms.Key(s, 'Key');
        return { strategy: ImpersonationStrategy.customChallenge(), encryptionKey: key };
      });
      const keyArn = { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] };
      for (const id of ['VerifyAuthChallenge', 'PreTokenGeneration', 'Broker']) {
        expect(grants(t, roleOf(id))['kms:Decrypt']).toEqual([keyArn]);
        expect(grants(t, roleOf(id))['kms:GenerateDataKey']).toBeUndefined();
      }
      expect(grants(t, roleOf('RotateKey'))['kms:GenerateDataKey']).toEqual([keyArn]);
      t.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn });
      expect(() => assertAcyclic(t.toJSON())).not.toThrow();
    });
  });

  test('the signing key: a generated key of 64 characters, deleted with the stack, rotated every 30 days by our function', () => {
    const { template, stack, impersonation, fn } = build();
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'key', PasswordLength: 64, ExcludePunctuation: true },
      },
      DeletionPolicy: 'Delete',
    });
    const secret = { Ref: logicalId(stack, impersonation.signingKey) };
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: secret,
      RotationLambdaARN: { 'Fn::GetAtt': [fn('RotateKey'), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [fn('RotateKey'), 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      SourceArn: secret,
    });
  });

  test('rotation interval is configurable', () => {
    build({ strategy: ImpersonationStrategy.customChallenge({ keyRotationInterval: Duration.days(7) }) }).template
      .hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' } });
  });

  test('the broker knows the pool, the client and the key; no client secret in its configuration', () => {
    const { template, fn, stack, userPool, impersonation } = build();
    const broker = template.findResources('AWS::Lambda::Function')[fn('Broker')].Properties;
    expect(broker.Environment.Variables).toMatchObject({
      [ENV.STRATEGY]: 'customChallenge',
      [ENV.USER_POOL_ID]: { Ref: logicalId(stack, userPool) },
      [ENV.CLIENT_ID]: { Ref: logicalId(stack, impersonation.impersonationClient) },
      [ENV.SECRET_ARN]: { Ref: logicalId(stack, impersonation.signingKey) },
    });
    expect(JSON.stringify(broker)).not.toMatch(/ClientSecret/);
    expect(broker.Timeout).toBe(15);
  });

  test('alarms on challenge failures and rotation failures, plus errors and throttles of all six functions', () => {
    const { template, impersonation } = build({ strategy: ImpersonationStrategy.customChallenge({ challengeFailureAlarmThreshold: 3 }) });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);
    expect(alarms).toHaveLength(2 + 2 + 6 * 2);
    expect(alarms.find((a) => a.MetricName === 'ChallengeFailures')).toMatchObject({ Threshold: 3, Namespace: 'CognitoImpersonation' });
    expect(alarms.find((a) => a.MetricName === 'KeyRotationFailures')).toMatchObject({ Threshold: 1 });
    expect(impersonation.alarms).toContain(impersonation.challengeFailureAlarm);
    expect(impersonation.alarms).toContain(impersonation.keyRotationFailureAlarm);
    // Only Pre Token Generation refuses by throwing: only its errors alarm subtracts refusals.
    expect(alarms.filter((a) => a.Metrics?.some((m: any) => m.Expression))).toHaveLength(1);
    expect(impersonation.functions).toHaveLength(6);
    expect(() => ImpersonationStrategy.customChallenge({ challengeFailureAlarmThreshold: 0 }))
      .toThrow('ImpersonationStrategy.customChallenge: challengeFailureAlarmThreshold must be a whole number from 1 to 9007199254740991, got 0');
  });
});
