import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CognitoImpersonation, CognitoImpersonationProps, ImpersonationStrategy } from '../../src';
import { ENV } from '../../src/private/contract';
import { assertAcyclic, childAt, grants, logicalId, stackWith, statementsOf, testStack } from '../helpers';

function build(
  props: Partial<CognitoImpersonationProps> | ((stack: Stack) => Partial<CognitoImpersonationProps>) = {},
  configure?: (stack: Stack, impersonation: CognitoImpersonation) => void,
) {
  const fixture = stackWith((stack) => ({ strategy: ImpersonationStrategy.groups(), ...typeof props === 'function' ? props(stack) : props }), configure);
  const group = fixture.id('SessionScheduleGroup');
  const sessionSchedules = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:eu-west-1:123456789012:schedule/', { Ref: group }, '/*']],
  };
  return {
    ...fixture,
    schedulerRole: fixture.id('Sessions/SchedulerRole'),
    group,
    sessionSchedules,
    table: { 'Fn::GetAtt': [fixture.id('Sessions/Table'), 'Arn'] },
    queue: { 'Fn::GetAtt': [fixture.id('Sessions/DeadLetterQueue'), 'Arn'] },
  };
}

describe('CognitoImpersonation with the groups strategy', () => {
  test('snapshot', () => {
    expect(build().template.toJSON()).toMatchSnapshot();
  });

  test('the template has no circular reference', () => {
    expect(() => assertAcyclic(build().template.toJSON())).not.toThrow();
  });

  test('a schedule group owned by the construct, with a name fixed at synth time', () => {
    const { template, impersonation } = build();
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'TestStackImpersonation0C63F577-sessions' });
    expect(impersonation.sessionScheduleGroupName).toBe('TestStackImpersonation0C63F577-sessions');
    // At deploy time only the sweeper's: sessions create their own.
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });

  test('the sweeper runs every 5 minutes in the construct\'s group, retried briefly, then dead-lettered', () => {
    const { template, fn, group, schedulerRole, queue } = build();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      GroupName: { Ref: group },
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [fn('Sweeper'), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [schedulerRole, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
        DeadLetterConfig: { Arn: queue },
      },
    });
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as any;
    expect(schedule.Properties.KmsKeyArn).toBeUndefined();
  });

  describe('the session table', () => {
    test('one item per admin, on demand, point-in-time recovery, destroyed with the construct', () => {
      const { template, id } = build();
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      const table = template.findResources('AWS::DynamoDB::Table')[id('Sessions/Table')];
      expect(table.Properties).toMatchObject({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      // The custom resource ends every session before the table goes (see below).
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.UpdateReplacePolicy).toBe('Delete');
      // Without a key of the construct's: DynamoDB's own (AWS owned) key; data at rest is always encrypted.
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: false });
    });

    test('encrypted with the construct\'s key when there is one, and so are the queue and the schedules', () => {
      const { template, id, stack } = build((s) => ({ encryptionKey: new kms.Key(s, 'Key') }));
      const key = { 'Fn::GetAtt': [logicalId(stack, stack.node.findChild('Key')), 'Arn'] };
      expect(template.findResources('AWS::DynamoDB::Table')[id('Sessions/Table')].Properties.SSESpecification)
        .toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: key });
      expect(template.findResources('AWS::SQS::Queue')[id('Sessions/DeadLetterQueue')].Properties.KmsMasterKeyId).toEqual(key);
      template.hasResourceProperties('AWS::Scheduler::Schedule', { KmsKeyArn: key });
    });
  });

  describe('the dead-letter queue', () => {
    test('encrypted, TLS only, kept 14 days, alarmed as soon as it holds a message', () => {
      const { template, id } = build();
      const queueId = id('Sessions/DeadLetterQueue');
      expect(template.findResources('AWS::SQS::Queue')[queueId].Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
      const [queuePolicy] = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as any[];
      expect(queuePolicy.Properties.Queues).toEqual([{ Ref: queueId }]);
      expect(queuePolicy.Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({
        Effect: 'Deny', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      })]);
      const alarm = template.findResources('AWS::CloudWatch::Alarm')[id('Sessions/DeadLetterAlarm')].Properties;
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    test('EndSession and the sweeper: retried twice by Lambda, then dead-lettered', () => {
      const { template, fn, queue } = build();
      for (const name of ['EndSession', 'Sweeper']) {
        template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: { Ref: fn(name) },
          MaximumRetryAttempts: 2,
          DestinationConfig: { OnFailure: { Destination: queue } },
        });
      }
      template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    });

    test('an alarm on failed ends (impersonation.end_failed), from the audit log', () => {
      const { template, impersonation } = build();
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ $.message.event = "impersonation.end_failed" }',
        MetricTransformations: [{ MetricName: 'SessionEndFailures', MetricNamespace: 'CognitoImpersonation', MetricValue: '1' }],
      });
      expect(impersonation.sessionEndFailureAlarm).toBeDefined();
      expect(impersonation.alarms).toContain(impersonation.sessionEndFailureAlarm);
      expect(impersonation.alarms).toContain(impersonation.sessionDeadLetterAlarm);
    });
  });

  describe('ending every session when the construct is deleted', () => {
    test('a custom resource that runs after the broker is gone and before its own permissions, the table and the group go', () => {
      const { template, fn, id, group } = build();
      const resources = template.findResources('Custom::ImpersonationEndAllSessions');
      expect(Object.keys(resources)).toEqual([id('Sessions/EndAllOnDelete')]);
      const resource = Object.values(resources)[0] as any;
      expect(resource.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [fn('EndAllSessions'), 'Arn'] });
      expect(resource.DependsOn).toEqual(expect.arrayContaining([
        group, id('Sessions/Table'), id('EndAllSessions/Policy'), id('EndAllSessions/SchedulesPolicy'), id('EndAllSessions/TablePolicy'),
      ]));
      const broker = template.findResources('AWS::Lambda::Function')[fn('Broker')];
      expect(broker.DependsOn).toContain(id('Sessions/EndAllOnDelete'));
    });

    test('its function may wait for a claimed session: a 10-minute timeout and a lease beyond it', () => {
      const { template, fn } = build();
      const endAll = template.findResources('AWS::Lambda::Function')[fn('EndAllSessions')].Properties;
      expect(endAll.Timeout).toBe(600);
      expect(endAll.Environment.Variables[ENV.SESSION_LEASE_SECONDS]).toBe('660');
    });
  });

  test('two constructs in one stack get two schedule groups with valid names', () => {
    const stack = new Stack(new App(), 'AVeryLongStackNameThatKeepsGoingAndGoingAndGoingForeverAndEver');
    const userPool = new cognito.UserPool(stack, 'Pool');
    const names = ['FirstImpersonationConstructWithALongId', 'SecondImpersonationConstructWithALongId'].map((id) =>
      new CognitoImpersonation(stack, id, { userPool, strategy: ImpersonationStrategy.groups(), adminGroupName: 'admins' }).sessionScheduleGroupName!);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
  });

  test('no trigger: the user pool is not changed', () => {
    const { template } = build();
    const pool = Object.values(template.findResources('AWS::Cognito::UserPool'))[0] as any;
    expect(pool.Properties.LambdaConfig).toBeUndefined();
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
  });

  test('an imported pool: nothing is attached to it, the grants name its ARN', () => {
    const stack = testStack('S');
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_AbCdEf123');
    const impersonation = new CognitoImpersonation(stack, 'Impersonation', { userPool, strategy: ImpersonationStrategy.groups(), adminGroupName: 'admins' });
    const template = Template.fromStack(stack);
    // The only custom resource ends sessions; none touches the pool.
    expect(Object.values(template.toJSON().Resources).map((r: any) => r.Type).filter((t: string) => t.startsWith('Custom::')))
      .toEqual(['Custom::ImpersonationEndAllSessions']);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    const roleId = logicalId(stack, childAt(impersonation, 'EndSession/Role'));
    expect(grants(template, roleId)['cognito-idp:AdminRemoveUserFromGroup']).toEqual([{
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123']],
    }]);
  });

  describe('least privilege: each role holds exactly what its function calls', () => {
    test('Broker: the live checks, the target lookup and group changes on this pool; the table; creating and deleting its schedules; PassRole', () => {
      const { template, role, schedulerRole, pool, logs, sessionSchedules, table } = build();
      expect(grants(template, role('Broker'))).toEqual({
        'cognito-idp:AdminGetUser': [pool],
        'cognito-idp:AdminListGroupsForUser': [pool],
        'cognito-idp:ListUsers': [pool],
        'cognito-idp:AdminAddUserToGroup': [pool],
        'cognito-idp:AdminRemoveUserFromGroup': [pool],
        'cognito-idp:AdminUserGlobalSignOut': [pool],
        'dynamodb:GetItem': [table],
        'dynamodb:PutItem': [table],
        'dynamodb:DeleteItem': [table],
        'dynamodb:Scan': [table],
        'scheduler:CreateSchedule': [sessionSchedules],
        'scheduler:DeleteSchedule': [sessionSchedules],
        'iam:PassRole': [{ 'Fn::GetAtt': [schedulerRole, 'Arn'] }],
        'logs:CreateLogStream': [logs],
        'logs:PutLogEvents': [logs],
      });
    });

    test('Broker: the scheduler role may be passed to EventBridge Scheduler only', () => {
      const { template, role, schedulerRole } = build();
      const passRole = statementsOf(template, role('Broker')).filter((s) => s.Action === 'iam:PassRole');
      expect(passRole).toEqual([{
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [schedulerRole, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }]);
    });

    test.each([
      ['EndSession', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']],
      ['Sweeper', ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']],
      ['EndAllSessions', ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']],
    ])('%s: ending sessions on this pool, the table, deleting schedules', (name, tableActions) => {
      const { template, role, pool, logs, sessionSchedules, table, queue } = build();
      expect(grants(template, role(name))).toEqual({
        'cognito-idp:AdminGetUser': [pool],
        'cognito-idp:AdminRemoveUserFromGroup': [pool],
        'cognito-idp:AdminUserGlobalSignOut': [pool],
        ...Object.fromEntries(tableActions.map((a) => [a, [table]])),
        'scheduler:DeleteSchedule': [sessionSchedules],
        // its failed asynchronous invocations: EndSession and the sweeper (invoked by schedules)
        // into the sessions queue, the custom resource (invoked by CloudFormation) into its own
        'sqs:SendMessage': name === 'EndAllSessions'
          ? [{ 'Fn::GetAtt': [expect.stringMatching(/^ImpersonationEndAllSessionsDeadLetterQueue/), 'Arn'] }]
          : [queue],
        'logs:CreateLogStream': [logs],
        'logs:PutLogEvents': [logs],
      });
    });

    test('the scheduler role: assumed by EventBridge Scheduler for this account and schedule group; invokes EndSession and the sweeper, dead-letters', () => {
      const { template, schedulerRole, fn, group, queue } = build();
      expect(grants(template, schedulerRole)).toEqual({
        'lambda:InvokeFunction': [{ 'Fn::GetAtt': [fn('EndSession'), 'Arn'] }, { 'Fn::GetAtt': [fn('Sweeper'), 'Arn'] }],
        'sqs:SendMessage': [queue],
      });
      const trust = template.findResources('AWS::IAM::Role')[schedulerRole].Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': '123456789012',
            'aws:SourceArn': { 'Fn::GetAtt': [group, 'Arn'] },
          },
        },
      }]);
      expect(template.findResources('AWS::IAM::Role')[schedulerRole].Properties.ManagedPolicyArns).toBeUndefined();
    });

    test('with a customer key: each role may use it only through the service and for the resources it needs', () => {
      const { template, role, schedulerRole, stack, sessionSchedules } = build((s) => ({ encryptionKey: new kms.Key(s, 'Key') }));
      const key = { 'Fn::GetAtt': [logicalId(stack, stack.node.findChild('Key')), 'Arn'] };
      const kmsStatements = (roleId: string) => statementsOf(template, roleId).filter((st) => [st.Action].flat().some((a: string) => a.startsWith('kms:')));
      const via = (service: string) => ({ 'kms:ViaService': `${service}.eu-west-1.amazonaws.com` });
      // Scheduler: the creating principal needs DescribeKey, GenerateDataKey and Decrypt; the
      // execution role Decrypt; the encryption context names the schedule.
      expect(kmsStatements(role('Broker'))).toEqual(expect.arrayContaining([
        { Action: 'kms:DescribeKey', Effect: 'Allow', Resource: key, Condition: { StringEquals: via('scheduler') } },
        {
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Effect: 'Allow',
          Resource: key,
          Condition: { StringEquals: via('scheduler'), ArnLike: { 'kms:EncryptionContext:aws:scheduler:schedule:arn': sessionSchedules } },
        },
        { Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Effect: 'Allow', Resource: key, Condition: { StringEquals: via('dynamodb') } },
      ]));
      expect(kmsStatements(schedulerRole)).toEqual([
        { Action: 'kms:Decrypt', Effect: 'Allow', Resource: key, Condition: { ArnLike: { 'kms:EncryptionContext:aws:scheduler:schedule:arn': sessionSchedules } } },
        { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: key, Condition: { StringEquals: via('sqs') } },
      ]);
      expect(kmsStatements(role('EndSession'))).toHaveLength(2);
      expect(kmsStatements(role('EndSession'))).toEqual(expect.arrayContaining([
        { Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Effect: 'Allow', Resource: key, Condition: { StringEquals: via('dynamodb') } },
        { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: key, Condition: { StringEquals: via('sqs') } },
      ]));
    });

    test('no wildcard action; the only wildcard resources are the construct\'s own schedules', () => {
      const { template, sessionSchedules } = build();
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      for (const s of statements) {
        for (const action of [s.Action].flat()) expect(action).not.toContain('*');
        for (const resource of [s.Resource].flat()) {
          expect(resource).not.toBe('*');
          if (JSON.stringify(resource).includes('*')) expect(resource).toEqual(sessionSchedules);
        }
      }
    });

    test('cdk-nag suppressions shipped with the construct are narrow, with reasons', () => {
      const { template } = build();
      const suppressed = Object.entries(template.toJSON().Resources)
        .filter(([, r]: [string, any]) => r.Metadata?.cdk_nag)
        .map(([id, r]: [string, any]) => [id, r.Metadata.cdk_nag.rules_to_suppress.filter((rule: any) => ['AwsSolutions-IAM5', 'AwsSolutions-SQS3'].includes(rule.id))])
        .filter(([, rules]) => rules.length > 0);
      // IAM5 (wildcards) only on the schedule policies, SQS3 only on dead-letter queues; the other
      // records are by-design rules (test/compat/cdk-nag.test.ts).
      expect(suppressed.map(([id]) => id).sort()).toEqual([
        expect.stringMatching(/^ImpersonationBrokerSchedulesPolicy/),
        expect.stringMatching(/^ImpersonationEndAllSessionsDeadLetterQueue/),
        expect.stringMatching(/^ImpersonationEndAllSessionsSchedulesPolicy/),
        expect.stringMatching(/^ImpersonationEndSessionSchedulesPolicy/),
        expect.stringMatching(/^ImpersonationSessionsDeadLetterQueue/),
        expect.stringMatching(/^ImpersonationSweeperSchedulesPolicy/),
      ]);
      const rules = suppressed.flatMap(([, r]) => r);
      for (const rule of rules) expect(rule.reason.length).toBeGreaterThan(40);
      expect(rules.filter((r: any) => r.id === 'AwsSolutions-SQS3')).toHaveLength(2);
      const iam5 = rules.filter((r: any) => r.id === 'AwsSolutions-IAM5');
      expect(iam5).toHaveLength(4);
      for (const rule of iam5) {
        expect(rule.applies_to).toHaveLength(1);
        const regex = rule.applies_to[0].regex.match(/^\/(.*)\/$/)[1];
        // Matches the construct's schedule group, not any other resource.
        expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:scheduler:eu-west-1:123456789012:schedule/<ImpersonationSessionScheduleGroup8AE4F558>/*')).toBe(true);
        // A stack without account and region (cdk init) has pseudo parameters there.
        expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<ImpersonationSessionScheduleGroup8AE4F558>/*')).toBe(true);
        expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:scheduler:eu-west-1:123456789012:schedule/*')).toBe(false);
        expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:lambda:eu-west-1:123456789012:function:*')).toBe(false);
        expect(new RegExp(regex).test('Resource::*')).toBe(false);
      }
    });
  });

  test('the broker knows the pool, the table, the schedule group, EndSession, the scheduler role, the queue and the durations', () => {
    const { template, fn, schedulerRole, group, stack, userPool, id, queue } = build({
      strategy: ImpersonationStrategy.groups({ defaultDuration: Duration.minutes(30), maxDuration: Duration.hours(4) }),
    });
    const functions = template.findResources('AWS::Lambda::Function');
    expect(functions[fn('Broker')].Properties.Environment.Variables).toMatchObject({
      [ENV.STRATEGY]: 'groups',
      [ENV.USER_POOL_ID]: { Ref: logicalId(stack, userPool) },
      [ENV.SCHEDULE_GROUP]: { Ref: group },
      [ENV.END_SESSION_FUNCTION_ARN]: { 'Fn::GetAtt': [fn('EndSession'), 'Arn'] },
      [ENV.SCHEDULER_ROLE_ARN]: { 'Fn::GetAtt': [schedulerRole, 'Arn'] },
      [ENV.SESSION_TABLE]: { Ref: id('Sessions/Table') },
      [ENV.SESSION_LEASE_SECONDS]: '120',
      [ENV.EXPIRY_DEAD_LETTER_QUEUE_ARN]: queue,
      [ENV.DEFAULT_DURATION_MINUTES]: '30',
      [ENV.MAX_DURATION_MINUTES]: '240',
    });
    expect(functions[fn('Broker')].Properties.Environment.Variables[ENV.SCHEDULE_KMS_KEY_ARN]).toBeUndefined();
    for (const name of ['EndSession', 'Sweeper']) {
      expect(functions[fn(name)].Properties.Environment.Variables).toMatchObject({
        [ENV.STRATEGY]: 'groups',
        [ENV.USER_POOL_ID]: { Ref: logicalId(stack, userPool) },
        [ENV.SCHEDULE_GROUP]: { Ref: group },
        [ENV.SESSION_TABLE]: { Ref: id('Sessions/Table') },
        [ENV.SESSION_LEASE_SECONDS]: '120',
      });
      // Only the broker creates schedules.
      expect(functions[fn(name)].Properties.Environment.Variables[ENV.SCHEDULER_ROLE_ARN]).toBeUndefined();
    }
    // Every function that claims sessions runs at most a minute: the lease (2 minutes) outlives it.
    for (const name of ['Broker', 'EndSession', 'Sweeper']) {
      expect(functions[fn(name)].Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 60 });
    }
  });

  describe('durations', () => {
    const variables = (strategy: ImpersonationStrategy) => {
      const { template, fn } = build({ strategy });
      const v = template.findResources('AWS::Lambda::Function')[fn('Broker')].Properties.Environment.Variables;
      return [v[ENV.DEFAULT_DURATION_MINUTES], v[ENV.MAX_DURATION_MINUTES]];
    };

    test('default 15 minutes, at most 1 hour', () => {
      expect(variables(ImpersonationStrategy.groups())).toEqual(['15', '60']);
    });

    test('up to 12 hours; the default follows a shorter maximum', () => {
      expect(variables(ImpersonationStrategy.groups({ maxDuration: Duration.hours(12) }))).toEqual(['15', '720']);
      expect(variables(ImpersonationStrategy.groups({ maxDuration: Duration.minutes(10) }))).toEqual(['10', '10']);
      expect(variables(ImpersonationStrategy.groups({ defaultDuration: Duration.minutes(5), maxDuration: Duration.minutes(5) }))).toEqual(['5', '5']);
    });

    test.each([
      ['maxDuration over 12 hours', { maxDuration: Duration.hours(13) }, /maxDuration must be whole minutes from 5 minutes to 12 hours, got 13 hours/],
      ['maxDuration under 5 minutes', { maxDuration: Duration.minutes(4) }, /maxDuration must be whole minutes from 5 minutes to 12 hours, got 4 minutes/],
      ['maxDuration not in whole minutes', { maxDuration: Duration.seconds(330) }, /maxDuration must be whole minutes/],
      ['defaultDuration over the default maximum', { defaultDuration: Duration.minutes(61) },
        /defaultDuration must be whole minutes from 5 minutes to maxDuration \(60 minutes\), got 1 hour 1 minute/],
      ['defaultDuration over maxDuration', { defaultDuration: Duration.minutes(30), maxDuration: Duration.minutes(20) },
        /defaultDuration must be whole minutes from 5 minutes to maxDuration \(20 minutes\)/],
      ['defaultDuration under 5 minutes', { defaultDuration: Duration.minutes(2) }, /defaultDuration must be whole minutes/],
    ])('refuses %s at synth time', (_, options, error) => {
      expect(() => ImpersonationStrategy.groups(options)).toThrow(error);
    });
  });

  test('exposes the broker, EndSession, the schedule group, the table, the queue and its alarms', () => {
    const { impersonation, id, stack } = build();
    expect(impersonation.brokerFunction).toBeDefined();
    expect(impersonation.endSessionFunction).toBeDefined();
    expect(logicalId(stack, impersonation.sessionTable)).toBe(id('Sessions/Table'));
    expect(logicalId(stack, impersonation.sessionDeadLetterQueue)).toBe(id('Sessions/DeadLetterQueue'));
    expect(logicalId(stack, impersonation.sessionDeadLetterAlarm)).toBe(id('Sessions/DeadLetterAlarm'));
    expect(impersonation.functions).toEqual(expect.arrayContaining([impersonation.brokerFunction, impersonation.endSessionFunction]));
    expect(impersonation.functions).toHaveLength(4);
    expect(impersonation.preTokenGenerationFunction).toBeUndefined();
    expect(impersonation.impersonationClient).toBeUndefined();
  });

  test('alarms: errors and throttles of the four functions, failed ends, the two dead-letter queues, plus the denial and suspicious-token alarms', () => {
    const { template } = build();
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);
    expect(alarms).toHaveLength(2 + 1 + 4 * 2 + 2 + 1);
    expect(alarms.find((a) => a.MetricName === 'SuspiciousTokens')).toMatchObject({ Threshold: 1 });
    expect(alarms.map((a) => a.AlarmDescription)).toEqual(expect.arrayContaining([
      'Impersonation: the EndSession function failed (errors other than refused impersonations).',
      'Impersonation: the Sweeper function failed (errors other than refused impersonations).',
      'Impersonation: the Broker function failed (errors other than refused impersonations).',
      expect.stringMatching(/^Impersonation \(groups\): ending a session failed/),
      expect.stringMatching(/^Impersonation \(groups\): a session end or sweep could not be delivered/),
      'Impersonation: an event of the EndAllSessions function failed after every retry and is in its dead-letter queue.',
    ]));
    // EndSession and the sweeper share the sessions queue; only the custom resource has a queue of its own.
    const deadLetters = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(deadLetters.map((a) => a.Dimensions[0].Value['Fn::GetAtt'][0]).sort()).toEqual([
      expect.stringMatching(/^ImpersonationEndAllSessionsDeadLetterQueue/),
      expect.stringMatching(/^ImpersonationSessionsDeadLetterQueue/),
    ]);
  });
});
