import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BROKER_LOOKUP_ACTIONS } from './broker';
import type { GroupsStrategyOptions } from './groups-options';
import { ENV, LIMITS, SOURCE, STRATEGY } from '../private/contract';
import { INVOCATION, type ImpersonationHost, type StrategyResources, brokerInvocation, scopeOf } from '../private/host';
import { acknowledgeWildcardResources } from '../private/nag';

/** The groups strategy's session durations, checked, in minutes. */
export interface GroupsSettings {
  readonly defaultMinutes: number;
  readonly maxMinutes: number;
}

/** Throws a clear error on an invalid option, at the factory call. */
export function groupsSettings(options: GroupsStrategyOptions): GroupsSettings {
  const maxMinutes = minutesOf('maxDuration', options.maxDuration ?? Duration.minutes(LIMITS.DEFAULT_MAX_SESSION_MINUTES),
    LIMITS.MAX_SESSION_MINUTES, '12 hours');
  const defaultMinutes = options.defaultDuration === undefined
    ? Math.min(LIMITS.DEFAULT_SESSION_MINUTES, maxMinutes)
    : minutesOf('defaultDuration', options.defaultDuration, maxMinutes, `maxDuration (${maxMinutes} minutes)`);
  return { defaultMinutes, maxMinutes };
}

/**
 * The groups strategy: the broker (start, end, list), the EndSession function, a schedule
 * group holding one one-time schedule per session, and the role the schedules invoke
 * EndSession with. No trigger: the user pool is not changed.
 */
export function defineGroups(host: ImpersonationHost, settings: GroupsSettings): StrategyResources {
  const scope = host.scope;
  const stack = Stack.of(scope);
  const userPool = host.userPool;

  // One schedule per session; named at synth time so that it is known without a lookup.
  const groupName = `${Names.uniqueResourceName(scope, { maxLength: 55 })}-sessions`;
  const scheduleGroup = new scheduler.CfnScheduleGroup(scope, 'SessionScheduleGroup', { name: groupName });
  const sessionSchedules = stack.formatArn({
    service: 'scheduler',
    resource: 'schedule',
    resourceName: `${scheduleGroup.ref}/*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  const commonEnvironment = {
    [ENV.STRATEGY]: STRATEGY.GROUPS,
    [ENV.USER_POOL_ID]: userPool.userPoolId,
    [ENV.SCHEDULE_GROUP]: scheduleGroup.ref,
  };

  const endSession = host.addFunction('EndSession', {
    source: SOURCE.END_SESSION,
    description: 'Ends a groups impersonation session: removes the groups it added, signs the admin out, deletes its schedule',
    environment: commonEnvironment,
    // At most 100 removals, retried on throttling.
    timeout: Duration.seconds(60),
    invocation: INVOCATION.SCHEDULE,
  });
  const endSessionPolicy = host.addPoolPolicy(endSession,
    new iam.PolicyStatement({
      actions: [
        // the admin is still the account the session was started for (sub)
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminRemoveUserFromGroup',
        'cognito-idp:AdminUserGlobalSignOut',
      ],
      resources: [userPool.userPoolArn],
    }),
    // the session is read from its schedule, never taken from the event
    new iam.PolicyStatement({ actions: ['scheduler:GetSchedule', 'scheduler:DeleteSchedule'], resources: [sessionSchedules] }),
  );
  acknowledgeScheduleWildcard(endSessionPolicy);

  // What the schedules run as: may invoke EndSession, nothing else, only for this group's schedules.
  const schedulerRole = new iam.Role(scope, 'SchedulerRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
      StringEquals: {
        'aws:SourceAccount': stack.account,
        'aws:SourceArn': scheduleGroup.attrArn,
      },
    }),
    description: 'EventBridge Scheduler invokes the impersonation EndSession function with this role (cdk-cognito-impersonation)',
  });
  schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [endSession.functionArn] }));

  const broker = host.addFunction('Broker', {
    source: SOURCE.BROKER,
    description: 'Impersonation broker: starts, ends and lists time-boxed group impersonation sessions',
    environment: {
      ...commonEnvironment,
      [ENV.END_SESSION_FUNCTION_ARN]: endSession.functionArn,
      [ENV.SCHEDULER_ROLE_ARN]: schedulerRole.roleArn,
      [ENV.DEFAULT_DURATION_MINUTES]: String(settings.defaultMinutes),
      [ENV.MAX_DURATION_MINUTES]: String(settings.maxMinutes),
    },
    // A start may end a previous session and add up to 100 groups, one call each.
    timeout: Duration.seconds(60),
    memorySize: 512,
    invocation: brokerInvocation(host.brokerReservedConcurrency),
  });
  host.addPoolPolicy(broker, new iam.PolicyStatement({
    actions: [
      ...BROKER_LOOKUP_ACTIONS,
      // start adds the target's groups; end (and a superseded or failed start) removes them
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminRemoveUserFromGroup',
      'cognito-idp:AdminUserGlobalSignOut',
    ],
    resources: [userPool.userPoolArn],
  }));
  const schedulerPolicy = new iam.Policy(scopeOf(broker), 'SchedulerPolicy', {
    roles: [broker.role!],
    statements: [
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:GetSchedule', 'scheduler:DeleteSchedule'],
        resources: [sessionSchedules],
      }),
      // ListSchedules has no resource type: IAM accepts only "*" (the request names the group).
      new iam.PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] }),
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    ],
  });
  acknowledgeScheduleWildcard(schedulerPolicy);
  acknowledgeWildcardResources(schedulerPolicy, /^\*$/,
    'scheduler:ListSchedules supports no resource-level permissions (Service Authorization Reference): '
    + 'IAM requires "*". The broker lists only the construct\'s schedule group.');

  return {
    brokerFunction: broker,
    endSessionFunction: endSession,
    sessionScheduleGroupName: groupName,
  };
}

/** Whole minutes from 5 to `max`, or a clear synth-time error. */
function minutesOf(name: string, duration: Duration, max: number, maxText: string): number {
  const minutes = duration.toMinutes({ integral: false });
  if (!Token.isUnresolved(minutes) && (!Number.isInteger(minutes) || minutes < LIMITS.MIN_SESSION_MINUTES || minutes > max)) {
    throw new Error(`ImpersonationStrategy.groups: ${name} must be whole minutes from ${LIMITS.MIN_SESSION_MINUTES} minutes `
      + `to ${maxText}, got ${duration.toHumanString()}`);
  }
  return minutes;
}

/** Any account and region, fixed or the stack's pseudo parameters; this construct's schedule group only. */
const SCHEDULES_OF_GROUP = /^arn:<AWS::Partition>:scheduler:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d{12}):schedule\/<[A-Za-z0-9]+>\/\*$/;

/**
 * cdk-nag: session schedules are created at run time, one per session, so their names are
 * not known at synth time; the policy names the construct's schedule group and nothing
 * wider. Recorded on the policy itself (cdk-nag 2 and 3), so that stacks using the construct
 * need no acknowledgement of their own.
 */
function acknowledgeScheduleWildcard(policy: iam.Policy): void {
  acknowledgeWildcardResources(policy, SCHEDULES_OF_GROUP,
    'Session schedules are created at run time, one per session: the resource is this construct\'s '
    + 'schedule group (schedule/<group>/*), not any other group.');
}
