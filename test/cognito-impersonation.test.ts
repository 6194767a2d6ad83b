import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { grants, logicalId, stackWith } from './helpers';
import { ImpersonationStrategy } from '../src';
import { ENV } from '../src/private/contract';

const preToken = () => ImpersonationStrategy.preTokenGeneration();

// The construct's own behaviour, with the simplest strategy (preTokenGeneration); what each
// strategy defines is tested in test/strategies/.
describe('CognitoImpersonation', () => {
  describe('function', () => {
    test('Node.js 22 on arm64, JSON logs into the audit log group, configured from props', () => {
      const { stack, impersonation, template } = stackWith({
        strategy: ImpersonationStrategy.preTokenGeneration({ claimName: 'acting_as' }),
        protectedGroupNames: ['finance-admins', 'support-impersonators'],
        requireReason: false,
        maxReasonLength: 100,
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
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
      stackWith({ strategy: preToken() }).template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { [ENV.REQUIRE_REASON]: 'true', [ENV.MAX_REASON_LENGTH]: '256', [ENV.CLAIM_NAME]: 'impersonating' } },
      });
    });

    test('the exposed functions are the ones created', () => {
      const { impersonation, template } = stackWith({ strategy: preToken() });
      template.resourceCountIs('AWS::Lambda::Function', 1);
      expect(impersonation.functions).toEqual([impersonation.preTokenGenerationFunction]);
    });
  });

  // customChallenge and groups have a broker, and functions that the principal must not invoke.
  test.each([
    ['customChallenge', () => ImpersonationStrategy.customChallenge()],
    ['groups', () => ImpersonationStrategy.groups()],
  ])('grantImpersonate (%s) lets a principal invoke the broker, and nothing else', (_name, strategy) => {
    let supportConsole: iam.Role | undefined;
    const { stack, template, fn } = stackWith({ strategy: strategy() }, (s, impersonation) => {
      supportConsole = new iam.Role(s, 'SupportConsole', { assumedBy: new iam.AccountRootPrincipal() });
      impersonation.grantImpersonate(supportConsole);
    });
    expect(grants(template, logicalId(stack, supportConsole))).toEqual({
      'lambda:InvokeFunction': [
        { 'Fn::GetAtt': [fn('Broker'), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fn('Broker'), 'Arn'] }, ':*']] },
      ],
    });
  });

  test('grantImpersonate refuses when the strategy has no broker', () => {
    const { stack, impersonation } = stackWith({ strategy: preToken() });
    expect(() => impersonation.grantImpersonate(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() })))
      .toThrow('CognitoImpersonation: the preTokenGeneration strategy has no broker to grant access to');
    expect(impersonation.brokerFunction).toBeUndefined();
  });

  describe('least privilege', () => {
    test('the role has no managed policy and trusts only Lambda', () => {
      const { stack, impersonation, template } = stackWith({ strategy: preToken() });
      const role = template.findResources('AWS::IAM::Role')[logicalId(stack, impersonation.preTokenGenerationFunction!.role)];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
        Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' },
      }]);
    });

    test('no statement anywhere uses a wildcard action', () => {
      const t = stackWith({ strategy: preToken(), encryptionKey: undefined }).template;
      const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      expect(statements.length).toBeGreaterThan(0);
      for (const action of statements.flatMap((s: any) => [s.Action].flat())) {
        expect(action).not.toMatch(/\*/);
      }
    });
  });

  describe('audit log group', () => {
    test('one year, retained with the stack gone, by default', () => {
      const t = stackWith({ strategy: preToken() }).template;
      t.resourceCountIs('AWS::Logs::LogGroup', 1);
      t.hasResource('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 365 },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    test('retention, removal policy and KMS key from props; the key lets CloudWatch Logs use it', () => {
      let key: kms.Key | undefined;
      const { stack, impersonation, template: t } = stackWith((s) => {
        key = new kms.Key(s, 'Key');
        return {
          strategy: preToken(),
          auditLogRetention: logs.RetentionDays.TEN_YEARS,
          auditLogRemovalPolicy: RemovalPolicy.DESTROY,
          encryptionKey: key,
        };
      });
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
      const t = template;
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
      let topic: sns.Topic | undefined;
      const { stack, impersonation, template: t } = stackWith((s) => {
        topic = new sns.Topic(s, 'Topic');
        return {
          strategy: preToken(),
          metricNamespace: 'Acme/Impersonation',
          deniedAlarmThreshold: 20,
          protectedTargetAlarmThreshold: 2,
          functionErrorsAlarmThreshold: 3,
          alarmActions: [new actions.SnsAction(topic)],
        };
      });
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
      expect(() => stackWith({ strategy: preToken(), ...props })).toThrow(message);
    });
  });
});
