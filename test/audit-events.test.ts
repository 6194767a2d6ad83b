import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { STRATEGIES, joined, onlyId, opsStack } from './ops-fixtures';


function publisherId(t: ReturnType<ReturnType<typeof opsStack>['template']>): string {
  const fns = t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { IMPERSONATION_EVENT_BUS: Match.anyValue() } } } });
  const ids = Object.keys(fns);
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('EventBridge events', () => {
  test.each(Object.keys(STRATEGIES))('%s: nothing published unless asked for', (strategy) => {
    const t = opsStack(strategy).template();
    t.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
    // groups has dead-letter queues of its own (session ends, the custom resource); none for events.
    expect(Object.keys(t.findResources('AWS::SQS::Queue')).filter((id) => id.startsWith('ImpersonationEvents'))).toEqual([]);
    expect(Object.keys(t.findResources('AWS::Lambda::Function')).filter((id) => id.includes('EventsPublisher'))).toEqual([]);
  });

  test.each(Object.keys(STRATEGIES))('%s: a subscription filter on the audit log feeds the publisher the starts, ends and denials', (strategy) => {
    const { template } = opsStack(strategy, { publishEvents: true });
    const t = template();
    const fn = publisherId(t);
    const logGroup = onlyId(t, 'AWS::Logs::LogGroup');
    t.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: logGroup },
      DestinationArn: { 'Fn::GetAtt': [fn, 'Arn'] },
      FilterPattern: '{ ($.message.event = "impersonation.granted") || ($.message.event = "impersonation.ended") || ($.message.event = "impersonation.denied")'
        + ' || ($.message.event = "impersonation.approval_requested") }',
    });
    // Only CloudWatch Logs, only from this log group, may invoke it.
    t.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
      Principal: 'logs.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logGroup, 'Arn'] },
    });
  });

  test('to the default bus: PutEvents on that bus only; the dead-letter queue gets what cannot be delivered', () => {
    const { template, stack } = opsStack('groups', { publishEvents: true });
    const t = template();
    const fn = publisherId(t);
    const queues = Object.keys(t.findResources('AWS::SQS::Queue')).filter((id) => id.startsWith('ImpersonationEvents'));
    expect(queues).toHaveLength(1);
    const queue = queues[0];
    const defaultBus = 'arn:<token>:events:eu-west-1:123456789012:event-bus/default';
    const fnProps = t.findResources('AWS::Lambda::Function')[fn].Properties;
    expect(joined(fnProps.Environment.Variables.IMPERSONATION_EVENT_BUS)).toBe(defaultBus);
    expect(fnProps.Environment.Variables.IMPERSONATION_EVENTS_DLQ_URL).toEqual({ Ref: queue });
    const roleName = fnProps.Role['Fn::GetAtt'][0];
    const statements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleName))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const put = statements.filter((s) => [s.Action].flat().includes('events:PutEvents'));
    expect(put.map((s) => joined(s.Resource))).toEqual([defaultBus]);
    expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('sqs:'))).map((s) => s.Resource))
      .toEqual([{ 'Fn::GetAtt': [queue, 'Arn'] }]);
    expect(statements.flatMap((s) => [s.Action].flat()).some((a: string) => a.includes('*'))).toBe(false);
    // Lambda retries a failed invocation twice, then hands it to the queue.
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    expect(stack).toBeInstanceOf(Stack);
  });

  test('a dead letter is alarmed, and that alarm is among the construct\'s', () => {
    const { template, impersonation, stack } = opsStack('customChallenge', { publishEvents: true });
    const t = template();
    const queueName = { 'Fn::GetAtt': [onlyId(t, 'AWS::SQS::Queue'), 'QueueName'] };
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueName }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Statistic: 'Maximum',
    });
    expect(impersonation.eventsDeadLetterAlarm).toBeDefined();
    expect(impersonation.alarms).toContain(impersonation.eventsDeadLetterAlarm);
    expect(stack.resolve(impersonation.metricEventsDeadLetters().toMetricConfig().metricStat?.dimensions))
      .toEqual([{ name: 'QueueName', value: queueName }]);
    expect(impersonation.functions.map((f) => f.node.path)).toContainEqual(expect.stringMatching(/Publish/));
  });

  test('a given bus: its ARN, and PutEvents on it only', () => {
    const { stack, template, impersonation } = opsStack('groups', {
      eventBus: events.EventBus.fromEventBusArn(new Stack(), 'Bus', 'arn:aws:events:eu-west-1:123456789012:event-bus/support'),
    });
    const t = template();
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { IMPERSONATION_EVENT_BUS: 'arn:aws:events:eu-west-1:123456789012:event-bus/support' } } });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'events:PutEvents', Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/support' }),
        ]),
      },
    });
    expect(impersonation.eventsDeadLetterQueue).toBeDefined();
    expect(stack).toBeDefined();
  });

  test('with a KMS key: the queue is encrypted with it, and the publisher may use it for SendMessage only', () => {
    const t = opsStack('groups', (stack) => ({ publishEvents: true, encryptionKey: new kms.Key(stack, 'Key') })).template();
    const key = { 'Fn::GetAtt': [onlyId(t, 'AWS::KMS::Key'), 'Arn'] };
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: key });
    const fn = publisherId(t);
    const roleName = t.findResources('AWS::Lambda::Function')[fn].Properties.Role['Fn::GetAtt'][0];
    const kmsStatements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleName))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st) => [st.Action].flat().some((a: string) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([{ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: key }]);
  });

  test('eventBus with publishEvents: false is a contradiction, refused', () => {
    expect(() => opsStack('groups', {
      publishEvents: false,
      eventBus: events.EventBus.fromEventBusArn(new Stack(), 'Bus', 'arn:aws:events:eu-west-1:123456789012:event-bus/support'),
    })).toThrow(/publishEvents is false but an eventBus is given/);
  });

  test('snapshot (groups with events)', () => {
    expect(opsStack('groups', { publishEvents: true }).template().toJSON()).toMatchSnapshot();
  });

});
