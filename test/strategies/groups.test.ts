import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { CognitoImpersonation, CognitoImpersonationProps, ImpersonationStrategy } from '../../src';
import { ENV } from '../../src/private/contract';
import { assertAcyclic, childAt, grants, logicalId, stackWith, statementsOf, testStack } from '../helpers';

function build(props: Partial<CognitoImpersonationProps> = {}, configure?: (stack: Stack, impersonation: CognitoImpersonation) => void) {
  const fixture = stackWith({ strategy: ImpersonationStrategy.groups(), ...props }, configure);
  const group = fixture.id('SessionScheduleGroup');
  const sessionSchedules = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:eu-west-1:123456789012:schedule/', { Ref: group }, '/*']],
  };
  return { ...fixture, schedulerRole: fixture.id('SchedulerRole'), group, sessionSchedules };
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
    // No schedule at deploy time: sessions create their own.
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
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
    expect(Object.values(template.toJSON().Resources).map((r: any) => r.Type)).not.toContainEqual(expect.stringMatching(/^Custom::/));
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    const roleId = logicalId(stack, childAt(impersonation, 'EndSession/Role'));
    expect(grants(template, roleId)['cognito-idp:AdminRemoveUserFromGroup']).toEqual([{
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123']],
    }]);
  });

  describe('least privilege: each role holds exactly what its function calls', () => {
    test('Broker: the live check, the target lookup and group changes on this pool; its schedules; ListSchedules; PassRole', () => {
      const { template, role, schedulerRole, pool, logs, sessionSchedules } = build();
      expect(grants(template, role('Broker'))).toEqual({
        'cognito-idp:AdminGetUser': [pool],
        'cognito-idp:AdminListGroupsForUser': [pool],
        'cognito-idp:ListUsers': [pool],
        'cognito-idp:AdminAddUserToGroup': [pool],
        'cognito-idp:AdminRemoveUserFromGroup': [pool],
        'cognito-idp:AdminUserGlobalSignOut': [pool],
        'scheduler:CreateSchedule': [sessionSchedules],
        'scheduler:GetSchedule': [sessionSchedules],
        'scheduler:DeleteSchedule': [sessionSchedules],
        // No resource-level permissions exist for ListSchedules.
        'scheduler:ListSchedules': ['*'],
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

    test('EndSession: removing groups and signing out on this pool; reading and deleting its schedules', () => {
      const { template, role, pool, logs, sessionSchedules } = build();
      expect(grants(template, role('EndSession'))).toEqual({
        'cognito-idp:AdminGetUser': [pool],
        'cognito-idp:AdminRemoveUserFromGroup': [pool],
        'cognito-idp:AdminUserGlobalSignOut': [pool],
        'scheduler:GetSchedule': [sessionSchedules],
        'scheduler:DeleteSchedule': [sessionSchedules],
        'logs:CreateLogStream': [logs],
        'logs:PutLogEvents': [logs],
        // EventBridge Scheduler invokes it asynchronously: an event that fails every retry is kept.
        'sqs:SendMessage': [{ 'Fn::GetAtt': [expect.stringMatching(/^ImpersonationEndSessionDeadLetterQueue/), 'Arn'] }],
      });
    });

    test('the scheduler role: assumed by EventBridge Scheduler for this account and schedule group, may invoke EndSession only', () => {
      const { template, schedulerRole, fn, group } = build();
      expect(grants(template, schedulerRole)).toEqual({
        'lambda:InvokeFunction': [{ 'Fn::GetAtt': [fn('EndSession'), 'Arn'] }],
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

    test('no wildcard action; the only wildcard resources are ListSchedules and the construct\'s own schedules', () => {
      const { template, sessionSchedules } = build();
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      for (const s of statements) {
        for (const action of [s.Action].flat()) expect(action).not.toContain('*');
        for (const resource of [s.Resource].flat()) {
          if (resource === '*') expect(s.Action).toBe('scheduler:ListSchedules');
          else if (JSON.stringify(resource).includes('*')) expect(resource).toEqual(sessionSchedules);
        }
      }
    });

    test('cdk-nag suppressions shipped with the construct are narrow, with reasons', () => {
      const { template } = build();
      const suppressed = Object.entries(template.toJSON().Resources)
        .filter(([, r]: [string, any]) => r.Metadata?.cdk_nag)
        .map(([id, r]: [string, any]) => [id, r.Metadata.cdk_nag.rules_to_suppress.filter((rule: any) => rule.id === 'AwsSolutions-IAM5')])
        .filter(([, rules]) => rules.length > 0);
      // IAM5 (wildcards) only on the two schedule policies; the other records are by-design rules (test/compat/cdk-nag.test.ts).
      expect(suppressed.map(([id]) => id).sort()).toEqual([
        expect.stringMatching(/^ImpersonationBrokerSchedulerPolicy/),
        expect.stringMatching(/^ImpersonationEndSessionPolicy/),
      ]);
      for (const [, rules] of suppressed) {
        for (const rule of rules) {
          expect(rule.reason.length).toBeGreaterThan(40);
          expect(rule.applies_to).toHaveLength(1);
        }
      }
      const patterns = suppressed.flatMap(([, rules]) => rules.flatMap((r: any) => r.applies_to));
      // ListSchedules' "*", exactly.
      expect(patterns).toContainEqual({ regex: '/^Resource::\\*$/' });
      const regex = patterns.find((p: any) => p.regex.includes('scheduler')).regex.match(/^\/(.*)\/$/)[1];
      // Matches the construct's schedule group, not any other resource.
      expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:scheduler:eu-west-1:123456789012:schedule/<ImpersonationSessionScheduleGroup8AE4F558>/*')).toBe(true);
      // A stack without account and region (cdk init) has pseudo parameters there.
      expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<ImpersonationSessionScheduleGroup8AE4F558>/*')).toBe(true);
      expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:scheduler:eu-west-1:123456789012:schedule/*')).toBe(false);
      expect(new RegExp(regex).test('Resource::arn:<AWS::Partition>:lambda:eu-west-1:123456789012:function:*')).toBe(false);
      expect(new RegExp(regex).test('Resource::*')).toBe(false);
    });
  });

  test('the broker knows the pool, the schedule group, EndSession, the scheduler role and the durations', () => {
    const { template, fn, schedulerRole, group, stack, userPool } = build({
      strategy: ImpersonationStrategy.groups({ defaultDuration: Duration.minutes(30), maxDuration: Duration.hours(4) }),
    });
    const functions = template.findResources('AWS::Lambda::Function');
    expect(functions[fn('Broker')].Properties.Environment.Variables).toMatchObject({
      [ENV.STRATEGY]: 'groups',
      [ENV.USER_POOL_ID]: { Ref: logicalId(stack, userPool) },
      [ENV.SCHEDULE_GROUP]: { Ref: group },
      [ENV.END_SESSION_FUNCTION_ARN]: { 'Fn::GetAtt': [fn('EndSession'), 'Arn'] },
      [ENV.SCHEDULER_ROLE_ARN]: { 'Fn::GetAtt': [schedulerRole, 'Arn'] },
      [ENV.DEFAULT_DURATION_MINUTES]: '30',
      [ENV.MAX_DURATION_MINUTES]: '240',
    });
    expect(functions[fn('EndSession')].Properties.Environment.Variables).toMatchObject({
      [ENV.STRATEGY]: 'groups',
      [ENV.USER_POOL_ID]: { Ref: logicalId(stack, userPool) },
      [ENV.SCHEDULE_GROUP]: { Ref: group },
    });
    expect(functions[fn('EndSession')].Properties.Environment.Variables[ENV.SCHEDULER_ROLE_ARN]).toBeUndefined();
    for (const id of ['Broker', 'EndSession']) {
      expect(functions[fn(id)].Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 60 });
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

  test('exposes the broker, EndSession and the schedule group', () => {
    const { impersonation } = build();
    expect(impersonation.brokerFunction).toBeDefined();
    expect(impersonation.endSessionFunction).toBeDefined();
    expect(impersonation.functions).toEqual(expect.arrayContaining([impersonation.brokerFunction, impersonation.endSessionFunction]));
    expect(impersonation.functions).toHaveLength(2);
    expect(impersonation.preTokenGenerationFunction).toBeUndefined();
    expect(impersonation.impersonationClient).toBeUndefined();
  });

  test('alarms: errors and throttles of both functions, EndSession\'s dead letters, plus the denial alarms', () => {
    const { template } = build();
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);
    expect(alarms).toHaveLength(2 + 2 * 2 + 1);
    expect(alarms.map((a) => a.AlarmDescription)).toEqual(expect.arrayContaining([
      'Impersonation: the EndSession function failed (errors other than refused impersonations).',
      'Impersonation: the Broker function failed (errors other than refused impersonations).',
      'Impersonation: an event of the EndSession function failed after every retry and is in its dead-letter queue.',
    ]));
    const deadLetters = alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(deadLetters).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(deadLetters.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/^ImpersonationEndSessionDeadLetterQueue/), 'QueueName'] } }]);
  });
});
