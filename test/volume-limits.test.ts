import { Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import { grants, logicalId, stackWith, statementsOf } from './helpers';
import { ImpersonationStrategy } from '../src';
import { AUDIT_EVENT, BROKER_STATE, ENV, SOURCE } from '../src/private/contract';

/** limits (issue 14, item 3): the broker's counters, their table and grant, the unusual-volume alarm. */

const BROKER_STRATEGIES = [
  ['customChallenge', () => ImpersonationStrategy.customChallenge()],
  ['groups', () => ImpersonationStrategy.groups()],
] as const;

describe('limits', () => {
  test.each(BROKER_STRATEGIES)('%s: the broker, and only the broker, gets the limits; the state table exists with a TTL', (_name, strategy) => {
    const limits = { maxStartsPerAdminPerHour: 5, maxStartsPerTargetPerDay: 3 };
    const { stack, impersonation, template, role } = stackWith({ strategy: strategy(), limits });
    const functions = template.findResources('AWS::Lambda::Function');
    const brokerId = logicalId(stack, impersonation.brokerFunction!);
    const tableId = logicalId(stack, impersonation.brokerStateTable!);
    expect(functions[brokerId].Properties.Environment.Variables).toMatchObject({
      [ENV.MAX_STARTS_PER_ADMIN_PER_HOUR]: '5',
      [ENV.MAX_STARTS_PER_TARGET_PER_DAY]: '3',
      [ENV.BROKER_STATE_TABLE]: { Ref: tableId },
    });
    for (const [id, fn] of Object.entries(functions).filter(([fnId]) => fnId !== brokerId)) {
      expect([id, fn.Properties.Environment?.Variables?.[ENV.MAX_STARTS_PER_ADMIN_PER_HOUR]]).toEqual([id, undefined]);
      expect([id, fn.Properties.Environment?.Variables?.[ENV.BROKER_STATE_TABLE]]).toEqual([id, undefined]);
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: BROKER_STATE.TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    // Exactly UpdateItem (TransactWriteItems is authorized per item), on the state table only.
    const table = { 'Fn::GetAtt': [tableId, 'Arn'] };
    const dynamo = Object.entries(grants(template, role('Broker'))).filter(([action]) => action.startsWith('dynamodb:'));
    const onStateTable = dynamo.filter(([, resources]) => resources.some((r) => JSON.stringify(r) === JSON.stringify(table)));
    expect(onStateTable).toEqual([['dynamodb:UpdateItem', [table]]]);
    // No other role may touch the state table.
    const otherPolicies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => !p.Properties.Roles.some((r: any) => r.Ref === role('Broker')));
    expect(otherPolicies.length).toBeGreaterThan(0);
    for (const policy of otherPolicies) expect(JSON.stringify(policy)).not.toContain(tableId);
  });

  test('only the unusual-volume alarm: the rule and the alarm, but no counters, table or grant', () => {
    const { impersonation, template } = stackWith({ strategy: ImpersonationStrategy.groups(), limits: { unusualVolumeThreshold: 7 } });
    expect(impersonation.brokerStateTable).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::DynamoDB::Table'))).toHaveLength(1); // the groups session table
    template.resourceCountIs('AWS::CloudWatch::InsightRule', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 7, AlarmDescription: Match.stringLikeRegexp('7 or more impersonations within an hour') });
  });

  test('not set: no counters, no state table, no rule, no alarm', () => {
    const { impersonation, template } = stackWith({ strategy: ImpersonationStrategy.customChallenge() });
    expect(impersonation.brokerStateTable).toBeUndefined();
    expect(impersonation.unusualVolumeAlarm).toBeUndefined();
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::CloudWatch::InsightRule', 0);
    expect(() => impersonation.metricMaxGrantsByOneAdmin()).toThrow(/needs the limits prop/);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment?.Variables?.[ENV.MAX_STARTS_PER_ADMIN_PER_HOUR]).toBeUndefined();
      expect(fn.Properties.Environment?.Variables?.[ENV.MAX_STARTS_PER_TARGET_PER_DAY]).toBeUndefined();
    }
  });

  test('the Contributor Insights rule counts the broker\'s grants per admin in the audit log, and the alarm watches its top contributor', () => {
    const { stack, impersonation, template, id } = stackWith({
      strategy: ImpersonationStrategy.customChallenge(),
      limits: { maxStartsPerAdminPerHour: 4 },
    });
    const [[ruleId, rule]] = Object.entries(template.findResources('AWS::CloudWatch::InsightRule'));
    expect(rule.Properties.RuleState).toBe('ENABLED');
    const body = JSON.parse(stack.resolve(rule.Properties.RuleBody)['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '"LOG_GROUP"')).join('')
      .replace('""LOG_GROUP""', '"LOG_GROUP"'));
    expect(body).toEqual({
      Schema: { Name: 'CloudWatchLogRule', Version: 1 },
      LogGroupNames: ['LOG_GROUP'],
      LogFormat: 'JSON',
      Contribution: {
        Keys: ['$.message.actor.username'],
        Filters: [{ Match: '$.message.event', In: [AUDIT_EVENT.GRANTED] }, { Match: '$.message.source', In: [SOURCE.BROKER] }],
      },
      AggregateOn: 'Count',
    });
    // The log group the rule reads is the audit log.
    expect(JSON.stringify(rule.Properties.RuleBody)).toContain(JSON.stringify({ Ref: logicalId(stack, impersonation.auditLogGroup) }));
    const alarm = template.findResources('AWS::CloudWatch::Alarm')[id('VolumeLimits/UnusualVolumeAlarm')];
    expect(alarm.Properties).toMatchObject({
      Threshold: 4,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [{
        Id: 'expr_1',
        Expression: { 'Fn::Join': ['', ['INSIGHT_RULE_METRIC(\'', { 'Fn::GetAtt': [ruleId, 'RuleName'] }, '\', \'MaxContributorValue\')']] },
        Period: 3600,
      }],
    });
    expect(impersonation.alarms).toContain(impersonation.unusualVolumeAlarm);
  });

  test('metricMaxGrantsByOneAdmin() watches exactly what unusualVolumeAlarm watches', () => {
    const props = { strategy: ImpersonationStrategy.groups(), limits: { maxStartsPerTargetPerDay: 2 } };
    const { template, id } = stackWith(props, (stack, impersonation) => {
      new cloudwatch.Alarm(stack, 'Probe', { metric: impersonation.metricMaxGrantsByOneAdmin(), threshold: 1, evaluationPeriods: 1 });
    });
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const probe = Object.entries(alarms).find(([alarmId]) => alarmId.startsWith('Probe'))![1];
    expect(probe.Properties.Metrics).toEqual(alarms[id('VolumeLimits/UnusualVolumeAlarm')].Properties.Metrics);
    // Without a per-admin limit, the default threshold.
    expect(alarms[id('VolumeLimits/UnusualVolumeAlarm')].Properties.Threshold).toBe(10);
  });

  test('with an encryption key, the broker may use it for the state table through DynamoDB only', () => {
    const { template, role, stack } = stackWith((s) => ({
      strategy: ImpersonationStrategy.groups(),
      limits: { maxStartsPerTargetPerDay: 2 },
      encryptionKey: new kms.Key(s, 'Key'),
    }));
    const kmsStatements = statementsOf(template, role('Broker')).filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('kms:')));
    expect(kmsStatements).toContainEqual(expect.objectContaining({
      Condition: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
    }));
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: BROKER_STATE.TTL_ATTRIBUTE, Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
  });

  test('preTokenGeneration has no broker: setting limits is an error', () => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.preTokenGeneration(), limits: { maxStartsPerAdminPerHour: 5 } }))
      .toThrow(/limits needs a strategy with a broker \(customChallenge, groups\), not preTokenGeneration/);
  });

  test.each([
    [{ maxStartsPerAdminPerHour: 0 }, /limits.maxStartsPerAdminPerHour must be a whole number from 1 to 10000, got 0/],
    [{ maxStartsPerTargetPerDay: 2.5 }, /limits.maxStartsPerTargetPerDay must be a whole number from 1 to 10000, got 2.5/],
    [{ maxStartsPerTargetPerDay: 10001 }, /limits.maxStartsPerTargetPerDay must be a whole number from 1 to 10000/],
    [{ unusualVolumeThreshold: 0 }, /limits.unusualVolumeThreshold must be a whole number from 1/],
  ])('%j is refused', (limits, message) => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.groups(), limits })).toThrow(message);
  });
});
