import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { stackWith, logicalId } from './helpers';
import { CognitoImpersonation, ImpersonationStrategy } from '../src';
import { ENV } from '../src/private/contract';

const preToken = () => ImpersonationStrategy.preTokenGeneration();

describe('CognitoImpersonation with the preTokenGeneration strategy', () => {
  test('snapshot (defaults)', () => {
    expect(stackWith({ strategy: preToken() }).template().toJSON()).toMatchSnapshot();
  });

  test('snapshot (V1, claim name, KMS key, protected groups, alarm actions)', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
    new CognitoImpersonation(stack, 'Impersonation', {
      userPool: new cognito.UserPool(stack, 'UserPool'),
      strategy: ImpersonationStrategy.preTokenGeneration({ lambdaVersion: cognito.LambdaVersion.V1_0, claimName: 'acting_as' }),
      adminGroupName: 'support-impersonators',
      protectedGroupNames: ['finance-admins'],
      encryptionKey: new kms.Key(stack, 'AuditKey', { enableKeyRotation: true }),
      alarmActions: [new actions.SnsAction(new sns.Topic(stack, 'Alarms'))],
    });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  describe('trigger wiring', () => {
    test('V2_0 by default, pointing at the construct\'s function', () => {
      const { stack, impersonation, template } = stackWith({ strategy: preToken() });
      template().hasResourceProperties('AWS::Cognito::UserPool', {
        LambdaConfig: {
          PreTokenGenerationConfig: {
            LambdaArn: { 'Fn::GetAtt': [logicalId(stack, impersonation.preTokenGenerationFunction), 'Arn'] },
            LambdaVersion: 'V2_0',
          },
        },
      });
    });

    test('V1_0 when asked for Lite pools', () => {
      const { template } = stackWith({
        strategy: ImpersonationStrategy.preTokenGeneration({ lambdaVersion: cognito.LambdaVersion.V1_0 }),
      });
      template().hasResourceProperties('AWS::Cognito::UserPool', {
        LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V1_0' } },
      });
    });

    test('Cognito may invoke the function, from this pool only', () => {
      const { stack, userPool, impersonation, template } = stackWith({ strategy: preToken() });
      template().hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [logicalId(stack, impersonation.preTokenGenerationFunction), 'Arn'] },
        SourceArn: { 'Fn::GetAtt': [logicalId(stack, userPool), 'Arn'] },
      });
    });

    test('an imported pool gets the trigger through one custom resource (see triggers.test.ts)', () => {
      const stack = new Stack(new App(), 'S');
      const userPool = cognito.UserPool.fromUserPoolId(stack, 'Imported', 'eu-west-1_abcdefghi');
      const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
        userPool, strategy: preToken(), adminGroupName: 'admins',
      });
      const template = Template.fromStack(stack);
      template.resourceCountIs('Custom::CognitoImpersonationTriggers', 1);
      template.hasResourceProperties('Custom::CognitoImpersonationTriggers', {
        UserPoolId: 'eu-west-1_abcdefghi',
        Triggers: [{
          Slot: 'PreTokenGeneration',
          LambdaArn: { 'Fn::GetAtt': [logicalId(stack, impersonation.preTokenGenerationFunction), 'Arn'] },
          LambdaVersion: 'V2_0',
        }],
      });
    });
  });

  describe('function', () => {
    test('Node.js 22 on arm64, JSON logs into the audit log group, configured from props', () => {
      const { stack, impersonation, template } = stackWith({
        strategy: ImpersonationStrategy.preTokenGeneration({ claimName: 'acting_as' }),
        protectedGroupNames: ['finance-admins', 'support-impersonators'],
        requireReason: false,
        maxReasonLength: 100,
      });
      template().hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: 5,
        LoggingConfig: {
          LogFormat: 'JSON',
          LogGroup: { Ref: logicalId(stack, impersonation.auditLogGroup) },
        },
        Environment: {
          Variables: {
            [ENV.ADMIN_GROUP]: 'support-impersonators',
            // The admin group is always protected, and listed once.
            [ENV.PROTECTED_GROUPS]: JSON.stringify(['support-impersonators', 'finance-admins']),
            [ENV.REQUIRE_REASON]: 'false',
            [ENV.MAX_REASON_LENGTH]: '100',
            [ENV.CLAIM_NAME]: 'acting_as',
          },
        },
      });
    });

    test('reason is required by default', () => {
      stackWith({ strategy: preToken() }).template().hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { [ENV.REQUIRE_REASON]: 'true', [ENV.MAX_REASON_LENGTH]: '256', [ENV.CLAIM_NAME]: 'impersonating' } },
      });
    });

    test('the exposed functions are the ones created', () => {
      const { impersonation, template } = stackWith({ strategy: preToken() });
      template().resourceCountIs('AWS::Lambda::Function', 1);
      expect(impersonation.functions).toEqual([impersonation.preTokenGenerationFunction]);
    });
  });

  describe('least privilege', () => {
    function policiesOfRole(template: Template, roleId: string) {
      return Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    }

    test('the trigger role allows exactly the Cognito reads it makes, on this pool, and writing its logs', () => {
      const { stack, userPool, impersonation, template } = stackWith({ strategy: preToken() });
      const t = template();
      const fn = impersonation.preTokenGenerationFunction!;
      const roleId = logicalId(stack, fn.role);
      const statements = policiesOfRole(t, roleId);

      expect(statements).toEqual(expect.arrayContaining([{
        Effect: 'Allow',
        Action: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser'],
        Resource: { 'Fn::GetAtt': [logicalId(stack, userPool), 'Arn'] },
      }]));
      const allowed = statements.flatMap((s: any) => [s.Action].flat());
      expect(allowed.sort()).toEqual([
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminListGroupsForUser',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ]);
      // Logs only into the audit log group.
      const logStatement = statements.find((s: any) => [s.Action].flat().includes('logs:PutLogEvents'));
      expect(logStatement.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, impersonation.auditLogGroup), 'Arn'] });
    });

    test('the role has no managed policy and trusts only Lambda', () => {
      const { stack, impersonation, template } = stackWith({ strategy: preToken() });
      const role = template().findResources('AWS::IAM::Role')[logicalId(stack, impersonation.preTokenGenerationFunction!.role)];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
        Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' },
      }]);
    });

    test('no statement anywhere uses a wildcard action', () => {
      const t = stackWith({ strategy: preToken(), encryptionKey: undefined }).template();
      const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      expect(statements.length).toBeGreaterThan(0);
      for (const action of statements.flatMap((s: any) => [s.Action].flat())) {
        expect(action).not.toMatch(/\*/);
      }
    });
  });

  describe('audit log group', () => {
    test('one year, retained with the stack gone, by default', () => {
      const t = stackWith({ strategy: preToken() }).template();
      t.resourceCountIs('AWS::Logs::LogGroup', 1);
      t.hasResource('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 365 },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    test('retention, removal policy and KMS key from props; the key lets CloudWatch Logs use it', () => {
      const app = new App();
      const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
      const key = new kms.Key(stack, 'Key');
      const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
        userPool: new cognito.UserPool(stack, 'Pool'),
        strategy: preToken(),
        adminGroupName: 'admins',
        auditLogRetention: logs.RetentionDays.TEN_YEARS,
        auditLogRemovalPolicy: RemovalPolicy.DESTROY,
        encryptionKey: key,
      });
      const t = Template.fromStack(stack);
      t.hasResource('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 3653, KmsKeyId: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] } },
        DeletionPolicy: 'Delete',
      });
      t.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Action: Match.arrayWith(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey']),
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:*']],
                },
              },
            },
          })]),
        },
      });
      expect(impersonation.auditLogGroup).toBeDefined();
    });
  });

  describe('alarms', () => {
    function alarmByDescription(t: Template, pattern: RegExp) {
      const found = Object.values(t.findResources('AWS::CloudWatch::Alarm'))
        .filter((a: any) => pattern.test(a.Properties.AlarmDescription));
      expect(found).toHaveLength(1);
      return (found[0] as any).Properties;
    }

    test('denials, protected targets, function errors and throttles, with default thresholds', () => {
      const { impersonation, template } = stackWith({ strategy: preToken() });
      const t = template();
      t.resourceCountIs('AWS::CloudWatch::Alarm', 4);
      expect(impersonation.alarms).toHaveLength(4);

      const denied = alarmByDescription(t, /denied impersonation requests/);
      expect(denied).toMatchObject({
        MetricName: 'ImpersonationDenied',
        Namespace: 'CognitoImpersonation',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(alarmByDescription(t, /protected group/)).toMatchObject({ MetricName: 'ProtectedTargetAttempts', Threshold: 1 });
      expect(alarmByDescription(t, /throttled/)).toMatchObject({ MetricName: 'Throttles', Namespace: 'AWS/Lambda', Threshold: 1 });

      // Errors exclude the trigger's own refusals, which are errors by design (Cognito needs a throw).
      const errors = alarmByDescription(t, /failed/);
      expect(errors.Threshold).toBe(1);
      const expression = errors.Metrics.find((m: any) => m.Expression);
      expect(expression.Expression).toBe('errors - FILL(refusals, 0)');
      const ids = Object.fromEntries(errors.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat.Metric]));
      expect(ids.errors.MetricName).toBe('Errors');
      expect(ids.refusals).toMatchObject({ Namespace: 'CognitoImpersonation', MetricName: 'ImpersonationDeniedBy-pre-token-generation' });
    });

    test('thresholds, namespace and actions from props, on every alarm', () => {
      const app = new App();
      const stack = new Stack(app, 'S');
      const topic = new sns.Topic(stack, 'Topic');
      const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
        userPool: new cognito.UserPool(stack, 'Pool'),
        strategy: preToken(),
        adminGroupName: 'admins',
        metricNamespace: 'Acme/Impersonation',
        deniedAlarmThreshold: 20,
        protectedTargetAlarmThreshold: 2,
        functionErrorsAlarmThreshold: 3,
        alarmActions: [new actions.SnsAction(topic)],
      });
      const t = Template.fromStack(stack);
      expect(alarmByDescription(t, /denied/)).toMatchObject({ Threshold: 20, Namespace: 'Acme/Impersonation' });
      expect(alarmByDescription(t, /protected group/)).toMatchObject({ Threshold: 2 });
      expect(alarmByDescription(t, /failed/)).toMatchObject({ Threshold: 3 });
      for (const alarm of Object.values(t.findResources('AWS::CloudWatch::Alarm')) as any[]) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalId(stack, topic) }]);
      }
      expect(impersonation.metricDenied().namespace).toBe('Acme/Impersonation');
    });

    test('exposed alarms and metrics', () => {
      const { impersonation } = stackWith({ strategy: preToken() });
      expect(impersonation.alarms).toContain(impersonation.deniedAlarm);
      expect(impersonation.alarms).toContain(impersonation.protectedTargetAlarm);
      expect(impersonation.metricGranted().metricName).toBe('ImpersonationGranted');
      expect(impersonation.metricDenied({ statistic: cloudwatch.Stats.SAMPLE_COUNT })).toMatchObject({
        metricName: 'ImpersonationDenied', statistic: 'SampleCount',
      });
      expect(impersonation.metricProtectedTargetAttempts().metricName).toBe('ProtectedTargetAttempts');
    });
  });

  describe('validation', () => {
    const stackAnd = (props: any) => () => {
      const stack = new Stack(new App(), 'S');
      return new CognitoImpersonation(stack, 'I', {
        userPool: new cognito.UserPool(stack, 'Pool'), strategy: preToken(), adminGroupName: 'admins', ...props,
      });
    };

    test.each([
      [{ adminGroupName: '' }, /adminGroupName '' is not a valid Cognito group name/],
      [{ adminGroupName: 'has space' }, /adminGroupName 'has space'/],
      [{ adminGroupName: 'x'.repeat(129) }, /adminGroupName/],
      [{ protectedGroupNames: ['ok', 'not ok'] }, /protectedGroupNames 'not ok'/],
      [{ maxReasonLength: 0 }, /maxReasonLength must be a whole number from 1 to 1024, got 0/],
      [{ maxReasonLength: 1025 }, /maxReasonLength/],
      [{ deniedAlarmThreshold: 0 }, /deniedAlarmThreshold/],
      [{ protectedTargetAlarmThreshold: 1.5 }, /protectedTargetAlarmThreshold/],
      [{ functionErrorsAlarmThreshold: -1 }, /functionErrorsAlarmThreshold/],
    ])('%j is refused', (props, message) => {
      expect(stackAnd(props)).toThrow(message);
    });

    test.each(['sub', 'iss', 'exp', 'token_use', 'cognito:groups', 'act', '1abc', 'has space', ''])(
      'claim name %j is refused', (claimName) => {
        expect(() => ImpersonationStrategy.preTokenGeneration({ claimName })).toThrow(/claimName .* is invalid/);
      });

    test('V3_0 is refused: M2M tokens have no user to impersonate', () => {
      expect(() => ImpersonationStrategy.preTokenGeneration({ lambdaVersion: 'V3_0' as cognito.LambdaVersion }))
        .toThrow(/lambdaVersion must be V1_0 or V2_0/);
    });
  });
});
