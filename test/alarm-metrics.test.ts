import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { CognitoImpersonation } from '../src';
import { STRATEGIES, opsStack } from './ops-fixtures';

/** The part of an alarm's template that says what it watches. */
function watched(props: Record<string, unknown>) {
  const { Namespace, MetricName, Dimensions, Statistic, ExtendedStatistic, Period, Metrics } = props;
  return JSON.stringify({ Namespace, MetricName, Dimensions, Statistic, ExtendedStatistic, Period, Metrics });
}

/** Every metric method of the construct that applies to its strategy and options. */
function metricMethods(impersonation: CognitoImpersonation, strategy: string, events: boolean): Record<string, cloudwatch.IMetric> {
  const methods: Record<string, cloudwatch.IMetric> = {
    metricDenied: impersonation.metricDenied(),
    metricProtectedTargetAttempts: impersonation.metricProtectedTargetAttempts(),
  };
  if (strategy === 'customChallenge') {
    methods.metricChallengeFailures = impersonation.metricChallengeFailures();
    methods.metricKeyRotationFailures = impersonation.metricKeyRotationFailures();
  }
  if (strategy !== 'preTokenGeneration') methods.metricSuspiciousTokens = impersonation.metricSuspiciousTokens();
  if (strategy === 'groups') {
    methods.metricSessionEndFailures = impersonation.metricSessionEndFailures();
    methods.metricSessionDeadLetters = impersonation.metricSessionDeadLetters();
  }
  if (events) methods.metricEventsDeadLetters = impersonation.metricEventsDeadLetters();
  for (const fn of impersonation.functions) {
    methods[`metricFunctionErrors(${fn.node.scope!.node.id})`] = impersonation.metricFunctionErrors(fn);
    methods[`metricFunctionThrottles(${fn.node.scope!.node.id})`] = impersonation.metricFunctionThrottles(fn);
    if ((fn as lambda.Function).deadLetterQueue) methods[`metricFunctionDeadLetters(${fn.node.scope!.node.id})`] = impersonation.metricFunctionDeadLetters(fn);
  }
  return methods;
}

describe('a metric method for every alarm', () => {
  test.each(Object.keys(STRATEGIES).flatMap((s) => [[s, false], [s, true]]))('%s (events: %s): an alarm on the method\'s metric watches exactly what the construct\'s alarm watches', (strategy, events) => {
    const { stack, impersonation, template } = opsStack(strategy as string, { publishEvents: events as boolean });
    // Alarms made from the methods, beside the construct's (same stack: same references).
    const probe = new Construct(stack, 'Probe');
    const methods = metricMethods(impersonation, strategy as string, events as boolean);
    for (const [name, metric] of Object.entries(methods)) new cloudwatch.Alarm(probe, name.replace(/\W/g, ''), { metric, threshold: 1, evaluationPeriods: 1 });
    const all = Object.entries(template().findResources('AWS::CloudWatch::Alarm'));
    const alarms = all.filter(([id]) => !id.startsWith('Probe')).map(([, a]) => watched(a.Properties));
    const fromMethods = all.filter(([id]) => id.startsWith('Probe')).map(([, a]) => watched(a.Properties));
    expect(alarms.length).toBeGreaterThan(3);
    expect(fromMethods.sort()).toEqual(alarms.sort());
    expect(impersonation.alarms).toHaveLength(alarms.length);
  });

  test('a strategy\'s metric on another strategy, or a function that is not the construct\'s, is a clear error', () => {
    const { impersonation, stack } = opsStack('groups');
    expect(() => impersonation.metricChallengeFailures()).toThrow(/customChallenge/);
    expect(() => impersonation.metricKeyRotationFailures()).toThrow(/customChallenge/);
    expect(() => impersonation.metricEventsDeadLetters()).toThrow(/publishEvents/);
    const other = opsStack('groups').impersonation.functions[0];
    expect(() => impersonation.metricFunctionErrors(other)).toThrow(/not a function of this construct/);
    expect(stack).toBeDefined();
  });

  test('options pass through (period, statistic, label)', () => {
    const { impersonation } = opsStack('customChallenge');
    const m = impersonation.metricChallengeFailures({ label: 'failures', statistic: 'Maximum' });
    expect(m.toMetricConfig().metricStat).toMatchObject({ statistic: 'Maximum', metricName: 'ChallengeFailures' });
    expect(m.label).toBe('failures');
  });
});

describe('alarmNamePrefix', () => {
  test('without it, CloudFormation names the alarms', () => {
    const alarms = Object.values(opsStack('customChallenge').template().findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.every((a) => a.Properties.AlarmName === undefined)).toBe(true);
  });

  test('with it, every alarm has a readable, unique name under the prefix', () => {
    const { template } = opsStack('customChallenge', { alarmNamePrefix: 'Support-Impersonation', publishEvents: true });
    const names = Object.values(template().findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string).sort();
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining([
      'Support-Impersonation-Denied',
      'Support-Impersonation-ProtectedTargetAttempts',
      'Support-Impersonation-ChallengeFailures',
      'Support-Impersonation-KeyRotationFailures',
      'Support-Impersonation-EventsDeadLetters',
      'Support-Impersonation-Broker-Errors',
      'Support-Impersonation-Broker-Throttles',
    ]));
    expect(names.every((n) => /^Support-Impersonation-[A-Za-z]+(-Errors|-Throttles)?$/.test(n))).toBe(true);
  });

  test.each(['', 'a\nb', 'x'.repeat(201)])('an unusable prefix (%j) is refused', (prefix) => {
    expect(() => opsStack('groups', { alarmNamePrefix: prefix })).toThrow(/alarmNamePrefix/);
  });
});
