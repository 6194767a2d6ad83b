import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { TokenIssuer, accessTokenClaims } from './fixtures/challenge';
import { ADMIN, ADMIN_GROUP, REASON, REQUEST_ID, TARGET, USER_POOL_ID, lambdaContext, setImpersonationEnv } from './fixtures/common';
import {
  ADDED_GROUPS,
  ADMIN_OWN_GROUPS,
  END_SESSION_ENV,
  FakePool,
  FakeScheduler,
  GROUPS_ENV,
  installGroupsWorld,
} from './fixtures/groups';
import { handlerTest } from './fixtures/handler-test';
import { handler as broker } from '../../lambda-src/broker.lambda';
import { handler } from '../../lambda-src/end-session.lambda';
import { scheduleNameOf } from '../../lambda-src/groups/schedule-names';
import { AUDIT_EVENT, DENIAL_REASON, SOURCE, STRATEGY } from '../../src/private/contract';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const schedulerMock = mockClient(SchedulerClient);
const issuer = new TokenIssuer();
const { logs, setEnv } = handlerTest({ mocks: [cognitoMock, schedulerMock], env: END_SESSION_ENV, trust: issuer });

let journal: string[];
let pool: FakePool;
let scheduler: FakeScheduler;

beforeEach(() => {
  ({ journal, pool, scheduler } = installGroupsWorld(cognitoMock, schedulerMock));
});

/**
 * Starts a session through the broker, exactly as an admin would, and returns the schedule's
 * Input: what EventBridge Scheduler invokes EndSession with at expiry.
 */
async function sessionStarted(): Promise<{ input: Record<string, any>; name: string }> {
  const restore = setImpersonationEnv(GROUPS_ENV);
  const response = await broker({
    action: 'start',
    accessToken: issuer.sign(accessTokenClaims()),
    target: TARGET.username,
    reason: REASON,
  }, lambdaContext('start-request')) as Record<string, any>;
  restore();
  const name = scheduleNameOf(ADMIN.sub, response.sessionId);
  expect(pool.groupsOf(ADMIN.username)).toEqual([...ADMIN_OWN_GROUPS, ...ADDED_GROUPS]);
  logs.info.mockClear();
  logs.warn.mockClear();
  journal.length = 0;
  return { input: scheduler.sessionIn(name), name };
}

/** The clock when the schedule fires: at expiresAt (never earlier), here a second later. */
function atExpiry(input: Record<string, any>): void {
  jest.spyOn(Date, 'now').mockReturnValue(Date.parse(input.expiresAt) + 1000);
}

const common = {
  schemaVersion: 1, time: expect.any(String), strategy: STRATEGY.GROUPS, source: SOURCE.END_SESSION, userPoolId: USER_POOL_ID, requestId: REQUEST_ID,
};
const actor = { sub: ADMIN.sub, username: ADMIN.username };
const target = { sub: TARGET.sub, username: TARGET.username };

describe('at expiry (the schedule fires)', () => {
  it('removes exactly the groups the session added, signs the admin out, deletes the schedule', async () => {
    const { input, name } = await sessionStarted();
    atExpiry(input);

    const result = await handler(input, lambdaContext());

    expect(result).toEqual({ ended: true, sessionId: input.sessionId, groupsRemoved: ADDED_GROUPS });
    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(pool.signOuts).toEqual([ADMIN.username]);
    expect(scheduler.schedules.size).toBe(0);
    expect(journal).toEqual([
      `GetSchedule ${name}`,
      `AdminGetUser ${ADMIN.username}`,
      `AdminRemoveUserFromGroup ${ADMIN.username} customers`,
      `AdminRemoveUserFromGroup ${ADMIN.username} beta-testers`,
      `AdminUserGlobalSignOut ${ADMIN.username}`,
      `DeleteSchedule ${name}`,
    ]);
  });

  it('writes exactly one ended event, cause expired', async () => {
    const { input } = await sessionStarted();
    atExpiry(input);

    await handler(input, lambdaContext());

    expect(logs.auditEvents()).toEqual([{
      ...common,
      event: AUDIT_EVENT.ENDED,
      actor,
      target,
      sessionId: input.sessionId,
      cause: 'expired',
      groupsRemoved: ADDED_GROUPS,
      startedAt: input.startedAt,
      expiresAt: input.expiresAt,
    }]);
    expect(logs.warn).not.toHaveBeenCalled();
  });

  it('is idempotent: a second invocation (a retry) changes nothing and records the session as already ended', async () => {
    const { input } = await sessionStarted();
    atExpiry(input);
    await handler(input, lambdaContext());
    logs.info.mockClear();
    journal.length = 0;

    const again = await handler(input, lambdaContext());

    expect(again).toEqual({ ended: false, sessionId: input.sessionId });
    expect(journal).toEqual([`GetSchedule ${input.scheduleName} -> ResourceNotFoundException`]);
    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(logs.auditEvents()).toEqual([{ ...common, event: AUDIT_EVENT.ENDED, sessionId: input.sessionId, cause: 'expired', alreadyEnded: true, groupsRemoved: [] }]);
  });

  it('after an explicit end, an invocation finds nothing to do', async () => {
    const { input } = await sessionStarted();
    const restore = setImpersonationEnv(GROUPS_ENV);
    await broker({ action: 'end', accessToken: issuer.sign(accessTokenClaims()) }, lambdaContext('end-request'));
    restore();
    journal.length = 0;
    atExpiry(input);

    expect(await handler(input, lambdaContext())).toEqual({ ended: false, sessionId: input.sessionId });
    expect(journal).toEqual([`GetSchedule ${input.scheduleName} -> ResourceNotFoundException`]);
  });

  it('a start that crashed midway is cleaned up: the schedule removes what was added', async () => {
    // The second add fails and so does the rollback: the broker gives up, the schedule stays.
    pool.fail({ command: 'AdminAddUserToGroup', when: (i) => i.GroupName === 'beta-testers' });
    pool.fail({ command: 'AdminRemoveUserFromGroup', when: (i) => i.GroupName === 'customers', times: 1 });
    const restore = setImpersonationEnv(GROUPS_ENV);
    const response = await broker({ action: 'start', accessToken: issuer.sign(accessTokenClaims()), target: TARGET.username, reason: REASON }, lambdaContext());
    restore();
    expect((response as any).error.code).toBe('InternalError');
    expect(pool.groupsOf(ADMIN.username)).toEqual([...ADMIN_OWN_GROUPS, 'customers']);
    const [name] = scheduler.schedules.keys();
    const input = scheduler.sessionIn(name);
    atExpiry(input);

    await handler(input, lambdaContext());

    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(scheduler.schedules.size).toBe(0);
  });
});

describe('only the stored session is acted on', () => {
  it('groups in the event are ignored: what is removed comes from the schedule', async () => {
    const { input } = await sessionStarted();
    atExpiry(input);
    const forged = { ...input, groupsAdded: [ADMIN_GROUP, 'support-staff', ...ADDED_GROUPS], admin: { sub: input.admin.sub, username: 'dave.support' } };

    await handler(forged, lambdaContext());

    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(pool.groupsOf('dave.support')).toEqual([ADMIN_GROUP]);
  });

  it('an event naming a session id the schedule does not hold changes nothing', async () => {
    const { input } = await sessionStarted();
    atExpiry(input);

    const result = await handler({ ...input, sessionId: '5f0c7d7e-9a51-4c1e-8d3a-2b6f4e1a9c10' }, lambdaContext());

    expect(result.ended).toBe(false);
    expect(journal).toEqual([`GetSchedule ${input.scheduleName}`]);
    expect(scheduler.schedules.size).toBe(1);
    expect(pool.groupsOf(ADMIN.username)).toEqual([...ADMIN_OWN_GROUPS, ...ADDED_GROUPS]);
  });

  it('a schedule whose Input is not a session of this construct is left alone', async () => {
    const { input, name } = await sessionStarted();
    const stored = scheduler.schedules.get(name)!;
    stored.Target!.Input = JSON.stringify({ ...input, kind: 'something-else' });
    atExpiry(input);

    expect((await handler(input, lambdaContext())).ended).toBe(false);
    expect(scheduler.schedules.size).toBe(1);
    expect(pool.groupsOf(ADMIN.username)).toEqual([...ADMIN_OWN_GROUPS, ...ADDED_GROUPS]);
  });

  it.each([
    ['not an object', 'end it'],
    ['no schedule name', { sessionId: '5f0c7d7e-9a51-4c1e-8d3a-2b6f4e1a9c10' }],
    ['a schedule name of another shape', { scheduleName: 'session-x', sessionId: '5f0c7d7e-9a51-4c1e-8d3a-2b6f4e1a9c10' }],
    ['no session id', { scheduleName: `${ADMIN.sub}.JuZ1oSa4SuGLrxw5Eu7dsA` }],
  ])('a malformed event (%s) reads and changes nothing: one end_failed event', async (_, event) => {
    const result = await handler(event, lambdaContext());
    expect(result).toEqual({ ended: false });
    expect(journal).toEqual([]);
    expect(logs.auditEvents()).toEqual([{ ...common, event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.INVALID_REQUEST }]);
  });

  it('a user that replaced the admin under the same username is not touched', async () => {
    const { input } = await sessionStarted();
    pool.addUser(ADMIN.username, 'bbbbbbbb-aaaa-4bbb-8ccc-00000000000b', ['customers']);
    atExpiry(input);

    const result = await handler(input, lambdaContext());

    expect(result).toEqual({ ended: true, sessionId: input.sessionId, groupsRemoved: [] });
    expect(pool.groupsOf(ADMIN.username)).toEqual(['customers']);
    expect(pool.signOuts).toEqual([]);
    expect(scheduler.schedules.size).toBe(0);
  });

  it('a deleted admin: nothing to remove, the schedule is deleted', async () => {
    const { input } = await sessionStarted();
    pool.users.delete(ADMIN.username);
    atExpiry(input);

    expect(await handler(input, lambdaContext())).toEqual({ ended: true, sessionId: input.sessionId, groupsRemoved: [] });
    expect(scheduler.schedules.size).toBe(0);
  });
});

describe('failures are retried, never lost', () => {
  it('a failed removal throws (Lambda retries), writes end_failed, keeps the schedule; the retry ends it', async () => {
    const { input, name } = await sessionStarted();
    atExpiry(input);
    pool.fail({ command: 'AdminRemoveUserFromGroup', when: (i) => i.GroupName === 'beta-testers', times: 1 });

    await expect(handler(input, lambdaContext())).rejects.toThrow(/could not be removed/);
    expect(scheduler.schedules.has(name)).toBe(true);
    expect(pool.signOuts).toEqual([]);
    expect(logs.auditEvents()).toEqual([{
      ...common,
      event: AUDIT_EVENT.END_FAILED,
      actor,
      target,
      sessionId: input.sessionId,
      cause: 'expired',
      failureReason: DENIAL_REASON.GROUP_CHANGE_FAILED,
      expiresAt: input.expiresAt,
    }]);
    expect(logs.warn).toHaveBeenCalledTimes(1);

    logs.warn.mockClear();
    const retry = await handler(input, lambdaContext());
    expect(retry).toEqual({ ended: true, sessionId: input.sessionId, groupsRemoved: ADDED_GROUPS });
    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(scheduler.schedules.size).toBe(0);
  });

  it('a failed sign-out keeps the schedule too', async () => {
    const { input, name } = await sessionStarted();
    atExpiry(input);
    pool.fail({ command: 'AdminUserGlobalSignOut', times: 1 });
    await expect(handler(input, lambdaContext())).rejects.toThrow(/sign-out/);
    expect(scheduler.schedules.has(name)).toBe(true);
  });

  it('the schedule cannot be read: throws, nothing changed', async () => {
    const { input } = await sessionStarted();
    atExpiry(input);
    scheduler.fail({ command: 'GetSchedule' });
    await expect(handler(input, lambdaContext())).rejects.toThrow();
    expect(pool.groupsOf(ADMIN.username)).toEqual([...ADMIN_OWN_GROUPS, ...ADDED_GROUPS]);
    expect(logs.auditEvents()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.LOOKUP_FAILED })]);
  });

  it('misconfigured (no schedule group): throws, one end_failed event, nothing read', async () => {
    const { input } = await sessionStarted();
    setEnv({ ...END_SESSION_ENV, SCHEDULE_GROUP: undefined });
    await expect(handler(input, lambdaContext())).rejects.toThrow();
    expect(schedulerMock.commandCalls(GetScheduleCommand)).toHaveLength(0);
    expect(logs.auditEvents()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.MISCONFIGURED })]);
  });
});

describe('an operator revokes a session early', () => {
  it('invoking EndSession with the schedule\'s Input before expiry ends it with cause revoked', async () => {
    const { input } = await sessionStarted();

    const result = await handler(input, lambdaContext());

    expect(result).toEqual({ ended: true, sessionId: input.sessionId, groupsRemoved: ADDED_GROUPS });
    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(logs.auditEvents()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.ENDED, cause: 'revoked', sessionId: input.sessionId })]);
  });

  it('only the schedule name and the session id are needed', async () => {
    const { input } = await sessionStarted();
    const result = await handler({ scheduleName: input.scheduleName, sessionId: input.sessionId }, lambdaContext());
    expect(result.groupsRemoved).toEqual(ADDED_GROUPS);
  });
});
