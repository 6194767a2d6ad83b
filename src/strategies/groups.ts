import { Duration, Names, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { BROKER_LOOKUP_ACTIONS } from './broker';
import type { GroupsStrategyOptions } from './groups-options';
import { SESSION_FUNCTION_TIMEOUT, SessionStore, leaseSecondsFor } from './groups-session-store';
import { ENV, LIMITS, SOURCE, STRATEGY } from '../private/contract';
import { INVOCATION, type ImpersonationHost, type StrategyResources, brokerInvocation } from '../private/host';

/** Where EndSession's and the sweeper's failed invocations go (SessionStore.deadLetter). */
const SESSION_DEAD_LETTERS = 'its failed events go to the sessions dead-letter queue (shared with the schedules), alarmed';

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
 * The groups strategy: the broker (start, end, list), the session table that serializes
 * each admin's sessions, the EndSession function and the one-time schedules that invoke it,
 * the sweeper that ends what was missed, a dead-letter queue with its alarm, and the custom
 * resource that ends every session when the construct is deleted. No trigger: the user pool
 * is not changed.
 */
export function defineGroups(host: ImpersonationHost, settings: GroupsSettings): StrategyResources {
  const scope = host.scope;
  const userPool = host.userPool;

  // One schedule per session, and the sweeper's; named at synth time so that it is known without a lookup.
  const groupName = `${Names.uniqueResourceName(scope, { maxLength: 55 })}-sessions`;
  const scheduleGroup = new scheduler.CfnScheduleGroup(scope, 'SessionScheduleGroup', { name: groupName });
  const store = new SessionStore(scope, 'Sessions', { host, scheduleGroup });
  const lifecycleEnvironment = {
    [ENV.STRATEGY]: STRATEGY.GROUPS,
    [ENV.USER_POOL_ID]: userPool.userPoolId,
    [ENV.SCHEDULE_GROUP]: scheduleGroup.ref,
    [ENV.SESSION_TABLE]: store.table.tableName,
    [ENV.SESSION_LEASE_SECONDS]: leaseSecondsFor(SESSION_FUNCTION_TIMEOUT),
  };
  // What every end does: the admin is still the account the session was started for (sub),
  // then its groups are removed and the admin is signed out.
  const endActions = ['cognito-idp:AdminGetUser', 'cognito-idp:AdminRemoveUserFromGroup', 'cognito-idp:AdminUserGlobalSignOut'];

  const endSession = host.addFunction('EndSession', {
    source: SOURCE.END_SESSION,
    description: 'Ends a groups impersonation session at its expiry: removes the groups it added, signs the admin out',
    environment: lifecycleEnvironment,
    // At most 100 removals; the lease of its claims is this plus a minute.
    timeout: SESSION_FUNCTION_TIMEOUT,
    invocation: { ...INVOCATION.SCHEDULE, deadLetteredBy: SESSION_DEAD_LETTERS },
  });
  const sweeper = host.addFunction('Sweeper', {
    source: SOURCE.SWEEPER,
    description: 'Ends groups impersonation sessions whose expiry was missed or whose start or end died',
    environment: lifecycleEnvironment,
    timeout: SESSION_FUNCTION_TIMEOUT,
    invocation: { ...INVOCATION.SCHEDULE, by: 'EventBridge Scheduler, every 5 minutes', deadLetteredBy: SESSION_DEAD_LETTERS },
  });
  const endAll = store.endAllOnDelete(lifecycleEnvironment);
  const endAllPolicies: Construct[] = [];
  for (const fn of [endSession, sweeper, endAll.fn]) {
    const policies = [
      host.addPoolPolicy(fn, new iam.PolicyStatement({ actions: endActions, resources: [userPool.userPoolArn] })),
      store.grantSchedules(fn, ['scheduler:DeleteSchedule']),
      // The sweeper and the deletion read every session; EndSession only the one its schedule names.
      store.grantTable(fn, fn === endSession ? ['GetItem', 'PutItem', 'DeleteItem'] : ['Scan', 'GetItem', 'PutItem', 'DeleteItem']),
    ];
    if (fn === endAll.fn) endAllPolicies.push(...policies);
  }
  store.deadLetter(endSession);
  store.deadLetter(sweeper);
  store.invokedBySchedules(endSession);
  store.scheduleSweeper(scheduleGroup, sweeper);

  const broker = host.addFunction('Broker', {
    source: SOURCE.BROKER,
    description: 'Impersonation broker: starts, ends and lists time-boxed group impersonation sessions',
    environment: {
      ...lifecycleEnvironment,
      [ENV.END_SESSION_FUNCTION_ARN]: endSession.functionArn,
      [ENV.SCHEDULER_ROLE_ARN]: store.schedulerRole.roleArn,
      [ENV.EXPIRY_DEAD_LETTER_QUEUE_ARN]: store.deadLetterQueue.queueArn,
      ...host.encryptionKey ? { [ENV.SCHEDULE_KMS_KEY_ARN]: host.encryptionKey.keyArn } : {},
      [ENV.DEFAULT_DURATION_MINUTES]: String(settings.defaultMinutes),
      [ENV.MAX_DURATION_MINUTES]: String(settings.maxMinutes),
    },
    // A start may end a previous session and add up to 100 groups, one call each.
    timeout: SESSION_FUNCTION_TIMEOUT,
    memorySize: 512,
    invocation: brokerInvocation(host.brokerReservedConcurrency),
  });
  host.addPoolPolicy(broker, new iam.PolicyStatement({
    actions: [
      ...BROKER_LOOKUP_ACTIONS,
      ...host.brokerPoolActions,
      // start adds the target's groups; end (and a superseded or failed start) removes them
      'cognito-idp:AdminAddUserToGroup',
      ...endActions.filter((a) => !BROKER_LOOKUP_ACTIONS.includes(a)),
    ],
    resources: [userPool.userPoolArn],
  }));
  store.grantTable(broker, ['GetItem', 'PutItem', 'DeleteItem', 'Scan']);
  store.grantSchedules(broker, ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], { createsSchedules: true });
  // On delete, CloudFormation removes dependents first: the broker goes (no new session can
  // start), then the custom resource ends every session, with its function's permissions,
  // the table and the schedule group still there.
  endAll.resource.node.addDependency(scheduleGroup, ...endAllPolicies);
  broker.node.addDependency(endAll.resource);

  return {
    brokerFunction: broker,
    endSessionFunction: endSession,
    sessionScheduleGroupName: groupName,
    sessionTable: store.table,
    sessionDeadLetterQueue: store.deadLetterQueue,
    sessionDeadLetterAlarm: store.deadLetterAlarm,
    sessionEndFailureAlarm: store.endFailureAlarm,
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
