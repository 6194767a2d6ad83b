import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambda-src/broker.lambda';
import { REFRESH_MESSAGE } from '../../../lambda-src/groups/broker-actions';
import { scheduleNameOf } from '../../../lambda-src/groups/schedule-names';
import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON, SOURCE, STRATEGY } from '../../../src/private/contract';
import { TokenIssuer, accessTokenClaims } from '../fixtures/challenge';
import { ADMIN, ADMIN_GROUP, PROTECTED_GROUP, REASON, REQUEST_ID, TARGET, USER_POOL_ID, UUID, isIsoTime, lambdaContext } from '../fixtures/common';
import {
  ADDED_GROUPS,
  ADMIN_OWN_GROUPS,
  CAROL,
  DAVE,
  END_SESSION_ARN,
  FakePool,
  FakeScheduler,
  GROUPS_ENV,
  SCHEDULER_ROLE_ARN,
  SCHEDULE_GROUP,
  TARGET_GROUPS,
  installGroupsWorld,
} from '../fixtures/groups';
import { handlerTest } from '../fixtures/handler-test';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const schedulerMock = mockClient(SchedulerClient);
const issuer = new TokenIssuer();
const { logs, setEnv } = handlerTest({ mocks: [cognitoMock, schedulerMock], env: GROUPS_ENV, trust: issuer });

let journal: string[];
let pool: FakePool;
let scheduler: FakeScheduler;

beforeEach(() => {
  ({ journal, pool, scheduler } = installGroupsWorld(cognitoMock, schedulerMock));
});

function tokenOf(user: { sub: string; username: string } = ADMIN): string {
  return issuer.sign(accessTokenClaims({ sub: user.sub, username: user.username }));
}

function start(overrides: Record<string, unknown> = {}, as: { sub: string; username: string } = ADMIN): Record<string, unknown> {
  return { action: 'start', accessToken: tokenOf(as), target: TARGET.username, reason: REASON, ...overrides };
}

async function invoke(event: unknown): Promise<Record<string, any>> {
  return await handler(event, lambdaContext()) as Record<string, any>;
}

/** Starts a session and forgets what was logged and journaled so far. */
async function started(overrides: Record<string, unknown> = {}, as: { sub: string; username: string } = ADMIN): Promise<Record<string, any>> {
  const response = await invoke(start(overrides, as));
  expect(response.sessionId).toMatch(UUID);
  logs.info.mockClear();
  logs.warn.mockClear();
  journal.length = 0;
  return response;
}

/** What changes state: group changes, sign-outs, schedule writes. */
function changes(): string[] {
  return journal.filter((line) => /^(AdminAddUserToGroup|AdminRemoveUserFromGroup|AdminUserGlobalSignOut|CreateSchedule|DeleteSchedule)/.test(line));
}

const common = {
  schemaVersion: 1, time: expect.any(String), strategy: STRATEGY.GROUPS, source: SOURCE.BROKER, userPoolId: USER_POOL_ID, requestId: REQUEST_ID,
};
const actor = { sub: ADMIN.sub, username: ADMIN.username };

/** Exactly one denial event and a typed error; nothing changed. */
async function expectRefused(event: unknown, code: string, denialReason: string): Promise<Record<string, any>> {
  const groupsBefore = pool.groupsOf(ADMIN.username);
  const schedulesBefore = [...scheduler.schedules.keys()];
  const response = await invoke(event);
  expect(response).toEqual({ error: { code, message: expect.any(String) } });
  expect(JSON.stringify(response)).not.toMatch(/internal detail|Exception|eu-west-1_/);
  const events = logs.auditEvents();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ ...common, event: AUDIT_EVENT.DENIED, denialReason });
  expect(pool.groupsOf(ADMIN.username)).toEqual(groupsBefore);
  expect([...scheduler.schedules.keys()]).toEqual(schedulesBefore);
  expect(changes().filter((line) => !line.endsWith('FAILED'))).toEqual([]);
  return events[0];
}

describe('start', () => {
  it('adds the target\'s groups the admin lacks, and only those, and says to refresh the tokens', async () => {
    const before = Date.now();
    const response = await invoke(start());

    expect(response).toEqual({
      sessionId: expect.stringMatching(UUID),
      target: { username: TARGET.username, sub: TARGET.sub },
      groupsAdded: ADDED_GROUPS,
      startedAt: expect.any(String),
      expiresAt: expect.any(String),
      expiresIn: expect.any(Number),
      message: REFRESH_MESSAGE,
    });
    expect(pool.groupsOf(ADMIN.username)).toEqual([...ADMIN_OWN_GROUPS, ...ADDED_GROUPS]);
    expect(pool.groupsOf(TARGET.username)).toEqual(TARGET_GROUPS);
    // 15 minutes by default, to the whole second.
    expect(isIsoTime(response.expiresAt)).toBe(true);
    expect(response.expiresAt).toMatch(/\.000Z$/);
    expect(Date.parse(response.expiresAt) - before).toBeGreaterThanOrEqual(15 * 60_000);
    expect(Date.parse(response.expiresAt) - before).toBeLessThanOrEqual(15 * 60_000 + 2000);
    expect(response.expiresIn).toBeGreaterThanOrEqual(899);
    expect(response.expiresIn).toBeLessThanOrEqual(901);
  });

  it('schedules the end before adding any group: one-time, at expiresAt, no flexible window, EndSession with the session', async () => {
    const response = await invoke(start());

    const name = scheduleNameOf(ADMIN.sub, response.sessionId);
    expect(name).toMatch(new RegExp(`^${ADMIN.sub}\\.[A-Za-z0-9_-]{22}$`));
    expect(changes()).toEqual([
      `CreateSchedule ${name}`,
      `AdminAddUserToGroup ${ADMIN.username} customers`,
      `AdminAddUserToGroup ${ADMIN.username} beta-testers`,
    ]);
    const schedule = scheduler.schedules.get(name)!;
    expect(schedule).toEqual({
      GroupName: SCHEDULE_GROUP,
      Name: name,
      Description: `cdk-cognito-impersonation groups session ${response.sessionId}`,
      ScheduleExpression: `at(${response.expiresAt.slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'NONE',
      State: 'ENABLED',
      ClientToken: response.sessionId,
      Target: {
        Arn: END_SESSION_ARN,
        RoleArn: SCHEDULER_ROLE_ARN,
        Input: expect.any(String),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      },
    });
    expect(JSON.parse(schedule.Target!.Input!)).toEqual({
      kind: 'cdk-cognito-impersonation/groups-session',
      version: 1,
      sessionId: response.sessionId,
      scheduleName: name,
      userPoolId: USER_POOL_ID,
      admin: { sub: ADMIN.sub, username: ADMIN.username },
      target: { sub: TARGET.sub, username: TARGET.username },
      groupsAdded: ADDED_GROUPS,
      reason: REASON,
      startedAt: response.startedAt,
      expiresAt: response.expiresAt,
    });
  });

  it('writes exactly one granted event with the session, the groups and the reason; no token in any log', async () => {
    const request = start();
    const response = await invoke(request);

    expect(logs.auditEvents()).toEqual([{
      ...common,
      event: AUDIT_EVENT.GRANTED,
      action: 'start',
      actor,
      target: { requested: TARGET.username, sub: TARGET.sub, username: TARGET.username },
      reason: REASON,
      sessionId: response.sessionId,
      groupsAdded: ADDED_GROUPS,
      startedAt: response.startedAt,
      expiresAt: response.expiresAt,
    }]);
    expect(logs.warn).not.toHaveBeenCalled();
    expect(logs.text()).not.toContain((request.accessToken as string).split('.')[2]);
  });

  it('takes durationMinutes within 5 minutes and maxDuration', async () => {
    const before = Date.now();
    const response = await invoke(start({ durationMinutes: 60 }));
    expect(Date.parse(response.expiresAt) - before).toBeGreaterThanOrEqual(60 * 60_000);
    expect(Date.parse(response.expiresAt) - before).toBeLessThanOrEqual(60 * 60_000 + 2000);
  });

  it.each([
    ['longer than maxDuration', 61, BROKER_ERROR.INVALID_REQUEST, DENIAL_REASON.DURATION_OUT_OF_RANGE],
    ['shorter than 5 minutes', 4, BROKER_ERROR.INVALID_REQUEST, DENIAL_REASON.DURATION_OUT_OF_RANGE],
    ['zero', 0, BROKER_ERROR.INVALID_REQUEST, DENIAL_REASON.DURATION_OUT_OF_RANGE],
    ['not whole minutes', 15.5, BROKER_ERROR.INVALID_REQUEST, DENIAL_REASON.INVALID_REQUEST],
    ['a string', '15', BROKER_ERROR.INVALID_REQUEST, DENIAL_REASON.INVALID_REQUEST],
  ])('refuses durationMinutes %s, changing nothing', async (_, durationMinutes, code, denialReason) => {
    await expectRefused(start({ durationMinutes }), code, denialReason);
  });

  it('the default duration comes from the construct', async () => {
    setEnv({ ...GROUPS_ENV, DEFAULT_DURATION_MINUTES: '45', MAX_DURATION_MINUTES: '720' });
    const before = Date.now();
    const response = await invoke(start());
    expect(Date.parse(response.expiresAt) - before).toBeGreaterThanOrEqual(45 * 60_000);
    expect(Date.parse(response.expiresAt) - before).toBeLessThanOrEqual(45 * 60_000 + 2000);
    expect((await invoke(start({ durationMinutes: 720 }))).expiresIn).toBeGreaterThanOrEqual(720 * 60 - 1);
  });

  it('finds the target by sub', async () => {
    const response = await invoke(start({ target: TARGET.sub }));
    expect(response.target).toEqual({ username: TARGET.username, sub: TARGET.sub });
    expect(response.groupsAdded).toEqual(ADDED_GROUPS);
  });

  it('a target whose groups the admin all has: a session that adds nothing, still ended at expiry', async () => {
    pool.addUser('erin.customer', '55555555-aaaa-4bbb-8ccc-000000000005', ['support-staff']);
    const response = await invoke(start({ target: 'erin.customer' }));
    expect(response.groupsAdded).toEqual([]);
    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(scheduler.schedules.has(scheduleNameOf(ADMIN.sub, response.sessionId))).toBe(true);
  });

  describe('refusals change nothing and are one denial each', () => {
    it('a caller who is not in the admin group', async () => {
      pool.addUser('mallory', '66666666-aaaa-4bbb-8ccc-000000000006', ['customers']);
      await expectRefused(start({}, { sub: '66666666-aaaa-4bbb-8ccc-000000000006', username: 'mallory' }), BROKER_ERROR.FORBIDDEN, DENIAL_REASON.NOT_ADMIN);
    });

    it('an invalid access token', async () => {
      const forged = new TokenIssuer().sign(accessTokenClaims());
      await expectRefused(start({ accessToken: forged }), BROKER_ERROR.UNAUTHORIZED, DENIAL_REASON.UNAUTHENTICATED);
    });

    it('the admin themself', async () => {
      await expectRefused(start({ target: ADMIN.username }), BROKER_ERROR.FORBIDDEN, DENIAL_REASON.SELF_IMPERSONATION);
    });

    it('another admin (the admin group is always protected)', async () => {
      const record = await expectRefused(start({ target: DAVE.username }), BROKER_ERROR.TARGET_PROTECTED, DENIAL_REASON.TARGET_PROTECTED);
      expect(record.target).toEqual({ requested: DAVE.username, sub: DAVE.sub, username: DAVE.username });
    });

    it('a member of a protected group', async () => {
      pool.addUser('frank.billing', '77777777-aaaa-4bbb-8ccc-000000000007', [PROTECTED_GROUP, 'customers']);
      await expectRefused(start({ target: 'frank.billing' }), BROKER_ERROR.TARGET_PROTECTED, DENIAL_REASON.TARGET_PROTECTED);
    });

    it('a disabled user', async () => {
      pool.addUser('gina.disabled', '88888888-aaaa-4bbb-8ccc-000000000008', ['customers'], false);
      await expectRefused(start({ target: 'gina.disabled' }), BROKER_ERROR.TARGET_DISABLED, DENIAL_REASON.TARGET_DISABLED);
    });

    it('an unknown user', async () => {
      await expectRefused(start({ target: 'nobody' }), BROKER_ERROR.TARGET_NOT_FOUND, DENIAL_REASON.TARGET_NOT_FOUND);
    });

    it('no reason', async () => {
      const { reason: _, ...withoutReason } = start();
      await expectRefused(withoutReason, BROKER_ERROR.REASON_REQUIRED, DENIAL_REASON.REASON_REQUIRED);
    });

    it.each([
      ['an unknown field', { groups: ['admins'] }],
      ['a sessionId', { sessionId: '5f0c7d7e-9a51-4c1e-8d3a-2b6f4e1a9c10' }],
      ['a target with control characters', { target: 'bob\u0000' }],
    ])('malformed: %s', async (_, overrides) => {
      await expectRefused(start(overrides), BROKER_ERROR.INVALID_REQUEST, DENIAL_REASON.INVALID_REQUEST);
    });

    it('a misconfigured broker (no schedule group)', async () => {
      setEnv({ ...GROUPS_ENV, SCHEDULE_GROUP: undefined });
      await expectRefused(start(), BROKER_ERROR.INTERNAL_ERROR, DENIAL_REASON.MISCONFIGURED);
    });
  });

  describe('Cognito\'s limit of 100 groups per user', () => {
    const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

    it('refuses with TooManyGroups before anything changes when the admin would exceed 100', async () => {
      pool.addUser(ADMIN.username, ADMIN.sub, [ADMIN_GROUP, ...many('own', 69)]);
      pool.addUser('big.customer', '99999999-aaaa-4bbb-8ccc-000000000009', [...many('own', 10), ...many('tenant', 31)]);
      const record = await expectRefused(start({ target: 'big.customer' }), BROKER_ERROR.TOO_MANY_GROUPS, DENIAL_REASON.TOO_MANY_GROUPS);
      expect(record.target).toEqual({ requested: 'big.customer', sub: '99999999-aaaa-4bbb-8ccc-000000000009', username: 'big.customer' });
      expect(logs.warn).toHaveBeenCalledTimes(1);
    });

    it('exactly 100 is allowed (the admin\'s 70 groups read over two pages)', async () => {
      pool.addUser(ADMIN.username, ADMIN.sub, [ADMIN_GROUP, ...many('own', 69)]);
      pool.addUser('big.customer', '99999999-aaaa-4bbb-8ccc-000000000009', [...many('own', 10), ...many('tenant', 30)]);
      const response = await invoke(start({ target: 'big.customer' }));
      expect(response.groupsAdded).toEqual(many('tenant', 30));
      expect(pool.groupsOf(ADMIN.username)).toHaveLength(100);
      expect(journal.filter((line) => line === `AdminListGroupsForUser ${ADMIN.username}`).length).toBeGreaterThanOrEqual(3);
    });

    it('groups a previous session added do not count: they go when it is superseded', async () => {
      pool.addUser(ADMIN.username, ADMIN.sub, [ADMIN_GROUP, ...many('own', 59)]);
      pool.addUser('big.customer', '99999999-aaaa-4bbb-8ccc-000000000009', many('tenant', 40));
      pool.addUser('other.customer', 'aaaaaaaa-aaaa-4bbb-8ccc-00000000000a', many('region', 40));
      await started({ target: 'big.customer' });
      expect(pool.groupsOf(ADMIN.username)).toHaveLength(100);

      const response = await invoke(start({ target: 'other.customer' }));
      expect(response.groupsAdded).toEqual(many('region', 40));
      expect(pool.groupsOf(ADMIN.username).sort()).toEqual([ADMIN_GROUP, ...many('own', 59), ...many('region', 40)].sort());
    });
  });

  describe('a failure partway leaves no group behind', () => {
    it('the second add fails: the first is removed again, the schedule deleted, InternalError', async () => {
      pool.fail({ command: 'AdminAddUserToGroup', when: (i) => i.GroupName === 'beta-testers' });
      const response = await invoke(start());

      expect(response).toEqual({ error: { code: BROKER_ERROR.INTERNAL_ERROR, message: expect.any(String) } });
      expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
      expect(scheduler.schedules.size).toBe(0);
      expect(changes()).toEqual([
        expect.stringMatching(/^CreateSchedule /),
        `AdminAddUserToGroup ${ADMIN.username} customers`,
        `AdminAddUserToGroup ${ADMIN.username} beta-testers FAILED`,
        `AdminRemoveUserFromGroup ${ADMIN.username} customers`,
        `AdminRemoveUserFromGroup ${ADMIN.username} beta-testers`,
        expect.stringMatching(/^DeleteSchedule /),
      ]);
      const events = logs.auditEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.GROUP_CHANGE_FAILED, actor });
    });

    it('an add that failed after it was applied (a timeout) is removed too', async () => {
      pool.fail({ command: 'AdminAddUserToGroup', when: (i) => i.GroupName === 'beta-testers', apply: true });
      await invoke(start());
      expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
      expect(scheduler.schedules.size).toBe(0);
    });

    it('if removing fails too, the schedule stays: it removes the groups at expiry', async () => {
      pool.fail({ command: 'AdminAddUserToGroup', when: (i) => i.GroupName === 'beta-testers' });
      pool.fail({ command: 'AdminRemoveUserFromGroup', when: (i) => i.GroupName === 'customers' });
      const response = await invoke(start());

      expect(response.error.code).toBe(BROKER_ERROR.INTERNAL_ERROR);
      expect(pool.groupsOf(ADMIN.username)).toEqual([...ADMIN_OWN_GROUPS, 'customers']);
      expect(scheduler.schedules.size).toBe(1);
      const [name] = scheduler.schedules.keys();
      expect(scheduler.sessionIn(name).groupsAdded).toEqual(ADDED_GROUPS);
      expect(changes()).not.toContainEqual(expect.stringMatching(/^DeleteSchedule/));
    });

    it('the schedule cannot be created: no group is added', async () => {
      scheduler.fail({ command: 'CreateSchedule' });
      const record = await expectRefused(start(), BROKER_ERROR.INTERNAL_ERROR, DENIAL_REASON.SCHEDULE_FAILED);
      expect(record.target).toEqual({ requested: TARGET.username, sub: TARGET.sub, username: TARGET.username });
      expect(cognitoMock.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
    });

    it('the sessions cannot be read: nothing changes', async () => {
      scheduler.fail({ command: 'ListSchedules' });
      await expectRefused(start(), BROKER_ERROR.INTERNAL_ERROR, DENIAL_REASON.LOOKUP_FAILED);
    });

    it('the admin\'s groups cannot be read (after the live check): nothing changes', async () => {
      let calls = 0;
      pool.fail({ command: 'AdminListGroupsForUser', when: (i) => i.Username === ADMIN.username && ++calls === 2 });
      await expectRefused(start(), BROKER_ERROR.INTERNAL_ERROR, DENIAL_REASON.LOOKUP_FAILED);
    });
  });

  describe('one active session per admin', () => {
    it('a new start ends the previous session first (superseded), then starts the new one', async () => {
      const first = await started();
      const firstName = scheduleNameOf(ADMIN.sub, first.sessionId);

      const second = await invoke(start({ target: CAROL.username }));

      // carol's groups the admin lacks: customers was only borrowed from bob, so it is added again.
      expect(second.groupsAdded).toEqual(['customers', 'enterprise-plan']);
      expect(pool.groupsOf(ADMIN.username)).toEqual([...ADMIN_OWN_GROUPS, 'customers', 'enterprise-plan']);
      expect(scheduler.schedules.has(firstName)).toBe(false);
      expect([...scheduler.schedules.keys()]).toEqual([scheduleNameOf(ADMIN.sub, second.sessionId)]);
      expect(changes()).toEqual([
        `AdminRemoveUserFromGroup ${ADMIN.username} customers`,
        `AdminRemoveUserFromGroup ${ADMIN.username} beta-testers`,
        `AdminUserGlobalSignOut ${ADMIN.username}`,
        `DeleteSchedule ${firstName}`,
        `CreateSchedule ${scheduleNameOf(ADMIN.sub, second.sessionId)}`,
        `AdminAddUserToGroup ${ADMIN.username} customers`,
        `AdminAddUserToGroup ${ADMIN.username} enterprise-plan`,
      ]);
      expect(logs.auditEvents()).toEqual([
        {
          ...common,
          event: AUDIT_EVENT.ENDED,
          action: 'start',
          actor,
          cause: 'superseded',
          sessionId: first.sessionId,
          target: { sub: TARGET.sub, username: TARGET.username },
          groupsRemoved: ADDED_GROUPS,
          startedAt: first.startedAt,
          expiresAt: first.expiresAt,
        },
        expect.objectContaining({ event: AUDIT_EVENT.GRANTED, sessionId: second.sessionId, groupsAdded: ['customers', 'enterprise-plan'] }),
      ]);
    });

    it('if the previous session cannot be ended, the new one is refused and the previous one stays', async () => {
      const first = await started();
      pool.fail({ command: 'AdminRemoveUserFromGroup', when: (i) => i.GroupName === 'beta-testers' });

      const response = await invoke(start({ target: CAROL.username }));

      expect(response.error.code).toBe(BROKER_ERROR.INTERNAL_ERROR);
      expect([...scheduler.schedules.keys()]).toEqual([scheduleNameOf(ADMIN.sub, first.sessionId)]);
      expect(pool.groupsOf(ADMIN.username)).not.toContain('enterprise-plan');
      expect(logs.auditEvents()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.GROUP_CHANGE_FAILED })]);
    });

    it('another admin\'s session is not touched', async () => {
      const daves = await started({}, DAVE);
      await invoke(start());
      expect(scheduler.schedules.has(scheduleNameOf(DAVE.sub, daves.sessionId))).toBe(true);
      expect(pool.groupsOf(DAVE.username)).toEqual([ADMIN_GROUP, ...TARGET_GROUPS]);
    });
  });
});

describe('end', () => {
  const end = (overrides: Record<string, unknown> = {}, as: { sub: string; username: string } = ADMIN) => ({ action: 'end', accessToken: tokenOf(as), ...overrides });

  it('removes exactly the groups the session added, signs the admin out, deletes the schedule', async () => {
    const session = await started();
    const response = await invoke(end());

    expect(response).toEqual({ ended: [{ sessionId: session.sessionId, groupsRemoved: ADDED_GROUPS }], message: expect.any(String) });
    // support-staff, which the target has too, was the admin's before: it stays.
    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(pool.signOuts).toEqual([ADMIN.username]);
    expect(scheduler.schedules.size).toBe(0);
    expect(changes()).toEqual([
      `AdminRemoveUserFromGroup ${ADMIN.username} customers`,
      `AdminRemoveUserFromGroup ${ADMIN.username} beta-testers`,
      `AdminUserGlobalSignOut ${ADMIN.username}`,
      `DeleteSchedule ${scheduleNameOf(ADMIN.sub, session.sessionId)}`,
    ]);
    expect(logs.auditEvents()).toEqual([{
      ...common,
      event: AUDIT_EVENT.ENDED,
      action: 'end',
      actor,
      cause: 'explicit',
      sessionId: session.sessionId,
      target: { sub: TARGET.sub, username: TARGET.username },
      groupsRemoved: ADDED_GROUPS,
      startedAt: session.startedAt,
      expiresAt: session.expiresAt,
    }]);
  });

  it('by session id', async () => {
    const session = await started();
    const response = await invoke(end({ sessionId: session.sessionId }));
    expect(response.ended).toEqual([{ sessionId: session.sessionId, groupsRemoved: ADDED_GROUPS }]);
    expect(scheduler.schedules.size).toBe(0);
  });

  it('is idempotent: ending again changes nothing and is recorded as already ended', async () => {
    const session = await started();
    await invoke(end());
    logs.info.mockClear();
    journal.length = 0;

    for (const request of [end(), end({ sessionId: session.sessionId })]) {
      const response = await invoke(request);
      expect(response).toEqual({ ended: [], message: 'You have no active session to end.' });
    }
    expect(changes()).toEqual([]);
    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(logs.auditEvents()).toEqual([
      { ...common, event: AUDIT_EVENT.ENDED, action: 'end', actor, cause: 'explicit', alreadyEnded: true, groupsRemoved: [] },
      { ...common, event: AUDIT_EVENT.ENDED, action: 'end', actor, cause: 'explicit', alreadyEnded: true, groupsRemoved: [], sessionId: session.sessionId },
    ]);
  });

  it('only ends the caller\'s own session, even when given another admin\'s session id', async () => {
    const daves = await started({}, DAVE);
    const response = await invoke(end({ sessionId: daves.sessionId }));
    expect(response.ended).toEqual([]);
    expect(scheduler.schedules.has(scheduleNameOf(DAVE.sub, daves.sessionId))).toBe(true);
    expect(pool.groupsOf(DAVE.username)).toEqual([ADMIN_GROUP, ...TARGET_GROUPS]);
    expect(changes()).toEqual([]);
  });

  it('a failed removal refuses with InternalError and keeps the schedule, so that the end is retried', async () => {
    const session = await started();
    pool.fail({ command: 'AdminRemoveUserFromGroup', when: (i) => i.GroupName === 'customers', times: 1 });

    const response = await invoke(end());
    expect(response).toEqual({ error: { code: BROKER_ERROR.INTERNAL_ERROR, message: expect.any(String) } });
    expect(scheduler.schedules.has(scheduleNameOf(ADMIN.sub, session.sessionId))).toBe(true);
    expect(pool.signOuts).toEqual([]);
    expect(logs.auditEvents()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, action: 'end', denialReason: DENIAL_REASON.GROUP_CHANGE_FAILED })]);

    // The next end finishes the job.
    expect((await invoke(end())).ended).toEqual([{ sessionId: session.sessionId, groupsRemoved: ADDED_GROUPS }]);
    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(scheduler.schedules.size).toBe(0);
  });

  it('a schedule that cannot be deleted: refused, retried by the next end or at expiry, harmlessly', async () => {
    const session = await started();
    scheduler.fail({ command: 'DeleteSchedule', times: 1 });
    expect((await invoke(end())).error.code).toBe(BROKER_ERROR.INTERNAL_ERROR);
    expect(pool.groupsOf(ADMIN.username)).toEqual(ADMIN_OWN_GROUPS);
    expect(scheduler.schedules.has(scheduleNameOf(ADMIN.sub, session.sessionId))).toBe(true);
    expect((await invoke(end())).ended).toEqual([{ sessionId: session.sessionId, groupsRemoved: ADDED_GROUPS }]);
    expect(scheduler.schedules.size).toBe(0);
  });

  it('the session cannot be read: refused, nothing changed', async () => {
    const session = await started();
    scheduler.fail({ command: 'GetSchedule' });
    await expectRefused(end({ sessionId: session.sessionId }), BROKER_ERROR.INTERNAL_ERROR, DENIAL_REASON.LOOKUP_FAILED);
  });

  it('a group deleted meanwhile is no obstacle', async () => {
    await started();
    pool.groups.delete('beta-testers');
    const response = await invoke(end());
    expect(response.ended).toHaveLength(1);
    expect(scheduler.schedules.size).toBe(0);
  });

  it.each([
    ['a target', { target: TARGET.username }],
    ['a reason', { reason: REASON }],
    ['a duration', { durationMinutes: 15 }],
    ['a malformed session id', { sessionId: 'not-a-session' }],
  ])('refuses %s, changing nothing', async (_, overrides) => {
    await started();
    await expectRefused(end(overrides), BROKER_ERROR.INVALID_REQUEST, DENIAL_REASON.INVALID_REQUEST);
  });
});

describe('list', () => {
  const list = (overrides: Record<string, unknown> = {}, as: { sub: string; username: string } = ADMIN) => ({ action: 'list', accessToken: tokenOf(as), ...overrides });

  it('shows every active session: admin, target, groups, reason and expiry, earliest expiry first', async () => {
    const daves = await started({ target: CAROL.username, durationMinutes: 5 }, DAVE);
    const alices = await started();
    // A schedule that is not a session of this construct is not listed.
    scheduler.schedules.set('someone-elses-schedule', { GroupName: SCHEDULE_GROUP, Name: 'someone-elses-schedule', Target: { Arn: 'x', RoleArn: 'y', Input: '{}' } } as any);

    const response = await invoke(list());

    expect(response).toEqual({
      sessions: [
        {
          sessionId: daves.sessionId,
          admin: { sub: DAVE.sub, username: DAVE.username },
          target: { sub: CAROL.sub, username: CAROL.username },
          groupsAdded: CAROL.groups,
          reason: REASON,
          startedAt: daves.startedAt,
          expiresAt: daves.expiresAt,
          expired: false,
        },
        {
          sessionId: alices.sessionId,
          admin: { sub: ADMIN.sub, username: ADMIN.username },
          target: { sub: TARGET.sub, username: TARGET.username },
          groupsAdded: ADDED_GROUPS,
          reason: REASON,
          startedAt: alices.startedAt,
          expiresAt: alices.expiresAt,
          expired: false,
        },
      ],
      truncated: false,
    });
    expect(logs.auditEvents()).toEqual([{ ...common, event: AUDIT_EVENT.SESSIONS_LISTED, action: 'list', actor, sessionCount: 2 }]);
    expect(changes()).toEqual([]);
  });

  it('marks a session whose expiry has passed (its end is due or being retried)', async () => {
    const session = await started();
    const later = Date.parse(session.expiresAt) + 1000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    const response = await invoke(list());
    expect(response.sessions.map((s: any) => s.expired)).toEqual([true]);
  });

  it('reads every page of schedules', async () => {
    for (let i = 0; i < 130; i++) {
      const sub = `${String(i).padStart(8, '0')}-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`;
      pool.addUser(`admin-${i}`, sub, [ADMIN_GROUP]);
      await started({}, { sub, username: `admin-${i}` });
    }
    const response = await invoke(list());
    expect(response.sessions).toHaveLength(130);
    expect(response.truncated).toBe(false);
    expect(schedulerMock.commandCalls(ListSchedulesCommand).length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['a target', { target: TARGET.username }],
    ['a session id', { sessionId: '5f0c7d7e-9a51-4c1e-8d3a-2b6f4e1a9c10' }],
  ])('refuses %s', async (_, overrides) => {
    await expectRefused(list(overrides), BROKER_ERROR.INVALID_REQUEST, DENIAL_REASON.INVALID_REQUEST);
  });

  it('the schedules cannot be listed: refused', async () => {
    await started();
    scheduler.fail({ command: 'ListSchedules' });
    await expectRefused(list(), BROKER_ERROR.INTERNAL_ERROR, DENIAL_REASON.LOOKUP_FAILED);
  });

  it('refuses a caller who is not an admin', async () => {
    await started();
    pool.addUser('mallory', '66666666-aaaa-4bbb-8ccc-000000000006', ['customers']);
    await expectRefused(list({}, { sub: '66666666-aaaa-4bbb-8ccc-000000000006', username: 'mallory' }), BROKER_ERROR.FORBIDDEN, DENIAL_REASON.NOT_ADMIN);
  });
});

describe('the customChallenge broker does not take durationMinutes', () => {
  it('is InvalidRequest there', async () => {
    setEnv({ ...GROUPS_ENV, STRATEGY: STRATEGY.CUSTOM_CHALLENGE, CLIENT_ID: '7kq2m1impersonation0dedic8' });
    const response = await invoke(start({ durationMinutes: 15 }));
    expect(response).toEqual({ error: { code: BROKER_ERROR.INVALID_REQUEST, message: expect.any(String) } });
    expect(logs.auditEvents()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.INVALID_REQUEST })]);
  });
});
