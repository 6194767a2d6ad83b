import { AUDIT_EVENT, BROKER_ERROR, BROKER_STATE, DENIAL_REASON, ENV } from '../../../src/private/contract';
import { APPROVERS, withApproval } from '../fixtures/approval';
import { USERS, groupsTestFile, settled } from '../fixtures/groups';

/**
 * Volume limits through the groups broker, against the stateful fake (the counters live in
 * the fake's second table): what is counted, what is refused, and that a refusal changes
 * nothing. The property test (volume-limits.property.test.ts) races them with faults.
 */

const STATE_TABLE = 'TestStack-ImpersonationBrokerState-9Z8Y7X';
const t = groupsTestFile();
const { alice, dave, bob, carol } = USERS;
const sorted = (groups: readonly string[]) => [...groups].sort();

let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
  process.env[ENV.BROKER_STATE_TABLE] = STATE_TABLE;
  process.env[ENV.MAX_STARTS_PER_ADMIN_PER_HOUR] = '2';
  process.env[ENV.MAX_STARTS_PER_TARGET_PER_DAY] = '3';
  t.world.stateTableName = STATE_TABLE;
});
afterEach(() => {
  process.env = saved;
});

/** A start a second after the last request: a superseded session signed the admin out, so they sign in again. */
const start = (as: string, target: string) => {
  t.world.now += 1000;
  return settled(t.harness.broker(as, { action: 'start', target, reason: 'SUP-1', durationMinutes: 5 }));
};
const end = (as: string) => {
  t.world.now += 1000;
  return settled(t.harness.broker(as, { action: 'end' }));
};
const denials = () => t.harness.events.filter((e) => e.event === AUDIT_EVENT.DENIED).map((e) => e.denialReason);

describe('per admin per hour', () => {
  it('admits the limit, refuses the next with LimitExceeded, and the refusal changes nothing', async () => {
    expect((await start(alice.username, bob.username)).sessionId).toBeDefined();
    expect((await start(alice.username, carol.username)).sessionId).toBeDefined();
    const groupsBefore = t.world.groupsOf(alice.username);
    const sessionBefore = JSON.stringify([...t.world.items.values()]);
    const refused = await start(alice.username, bob.username);
    expect(refused.error.code).toBe(BROKER_ERROR.LIMIT_EXCEEDED);
    expect(refused.error.message).toMatch(/per hour/);
    // The second session (carol's groups) was not superseded; nothing else changed either.
    expect(t.world.groupsOf(alice.username)).toEqual(groupsBefore);
    expect(JSON.stringify([...t.world.items.values()])).toBe(sessionBefore);
    expect(denials()).toEqual([DENIAL_REASON.ADMIN_LIMIT_REACHED]);
    expect(t.harness.events.filter((e) => e.event === AUDIT_EVENT.DENIED)[0]).toMatchObject({ target: { username: bob.username } });
  });

  it('counts each admin on their own, and starts again in the next clock hour', async () => {
    await start(alice.username, bob.username);
    await start(alice.username, bob.username);
    expect((await start(dave.username, carol.username)).sessionId).toBeDefined();
    expect((await start(alice.username, carol.username)).error.code).toBe(BROKER_ERROR.LIMIT_EXCEEDED);
    await end(alice.username);
    t.world.now = Math.ceil((t.world.now + 1) / 3_600_000) * 3_600_000; // the next hour begins
    expect((await start(alice.username, carol.username)).sessionId).toBeDefined();
  });

  it('end and list are never counted or refused', async () => {
    await start(alice.username, bob.username);
    await start(alice.username, bob.username);
    expect((await end(alice.username)).ended).toHaveLength(1);
    t.world.now += 1000;
    expect((await settled(t.harness.broker(alice.username, { action: 'list' }))).sessions).toEqual([]);
    expect(denials()).toEqual([]);
  });
});

describe('per target per day', () => {
  it('refuses the fourth impersonation of bob today, by whichever admin, and admits carol', async () => {
    process.env[ENV.MAX_STARTS_PER_ADMIN_PER_HOUR] = '100';
    await start(alice.username, bob.username);
    await start(dave.username, bob.username);
    await start(alice.username, bob.username);
    const refused = await start(dave.username, bob.username);
    expect(refused.error).toEqual({ code: BROKER_ERROR.LIMIT_EXCEEDED, message: expect.stringMatching(/today/) });
    expect(denials()).toEqual([DENIAL_REASON.TARGET_LIMIT_REACHED]);
    expect((await start(dave.username, carol.username)).sessionId).toBeDefined();
  });

  it('a start refused by one limit is not counted by the other (one transaction)', async () => {
    process.env[ENV.MAX_STARTS_PER_TARGET_PER_DAY] = '1';
    await start(alice.username, bob.username);
    expect((await start(alice.username, bob.username)).error.code).toBe(BROKER_ERROR.LIMIT_EXCEEDED);
    // alice's hour counter still holds one start: her second (to carol) is admitted.
    expect((await start(alice.username, carol.username)).sessionId).toBeDefined();
  });
});

describe('with approval', () => {
  it('a start that only creates an approval request is not counted; the start that spends the approval is', async () => {
    const restore = withApproval(t.world);
    try {
      process.env[ENV.MAX_STARTS_PER_ADMIN_PER_HOUR] = '1';
      // Two requests (not impersonations yet): neither counts against alice's one start this hour.
      const first = await start(alice.username, bob.username);
      const second = await start(alice.username, carol.username);
      expect([first.approval?.state, second.approval?.state]).toEqual(['PENDING', 'PENDING']);
      expect([...t.world.stateItems.keys()].filter((k) => k.startsWith(BROKER_STATE.PREFIX.ADMIN_STARTS))).toEqual([]);
      for (const request of [first, second]) {
        t.world.now += 1000;
        await settled(t.harness.broker(APPROVERS.paula.username, { action: 'approve', approvalId: request.approval.requestId }));
      }
      t.world.now += 1000;
      const granted = await settled(t.harness.broker(alice.username, {
        action: 'start', target: bob.username, reason: 'SUP-1', durationMinutes: 5, approvalId: first.approval.requestId,
      }));
      expect(granted.sessionId).toBeDefined();
      t.world.now += 1000;
      const refused = await settled(t.harness.broker(alice.username, {
        action: 'start', target: carol.username, reason: 'SUP-1', durationMinutes: 5, approvalId: second.approval.requestId,
      }));
      expect(refused.error.code).toBe(BROKER_ERROR.LIMIT_EXCEEDED);
      expect(denials()).toEqual([DENIAL_REASON.ADMIN_LIMIT_REACHED]);
    } finally {
      restore();
    }
  });
});

describe('the counters', () => {
  it('one item per admin-hour and per target-day, keyed by sub, removed by TTL a window after theirs closes', async () => {
    await start(alice.username, bob.username);
    const hour = new Date(Math.floor(t.world.now / 3_600_000) * 3_600_000);
    const aliceSub = t.world.users.get(alice.username)!.sub;
    const bobSub = t.world.users.get(bob.username)!.sub;
    const admin = t.world.stateItems.get(`${BROKER_STATE.PREFIX.ADMIN_STARTS}${aliceSub}#${hour.toISOString().slice(0, 13)}`);
    const target = t.world.stateItems.get(`${BROKER_STATE.PREFIX.TARGET_STARTS}${bobSub}#${hour.toISOString().slice(0, 10)}`);
    expect(admin).toMatchObject({ starts: { N: '1' }, ttl: { N: String(hour.getTime() / 1000 + 2 * 3600) } });
    const day = Date.parse(hour.toISOString().slice(0, 10));
    expect(target).toMatchObject({ starts: { N: '1' }, ttl: { N: String(day / 1000 + 2 * 86400) } });
    expect(t.world.stateItems.size).toBe(2);
  });

  it('fail closed: a throttled or unanswered counter refuses the start, and nothing else happens', async () => {
    for (const fault of ['throttle', 'lostResponse'] as const) {
      t.world.faultFor = (command) => (command === 'TransactWriteItems' ? fault : undefined);
      const refused = await start(alice.username, bob.username);
      expect(refused.error.code).toBe(BROKER_ERROR.INTERNAL_ERROR);
      expect(t.world.groupsOf(alice.username)).toEqual(sorted(alice.groups));
      expect(t.world.items.size).toBe(0);
    }
    expect(denials()).toEqual([DENIAL_REASON.LOOKUP_FAILED, DENIAL_REASON.LOOKUP_FAILED]);
  });

  it('fail closed: a malformed limit or a missing table refuses every start as Misconfigured', async () => {
    process.env[ENV.MAX_STARTS_PER_ADMIN_PER_HOUR] = '0';
    expect((await start(alice.username, bob.username)).error.code).toBe(BROKER_ERROR.INTERNAL_ERROR);
    process.env[ENV.MAX_STARTS_PER_ADMIN_PER_HOUR] = '2';
    delete process.env[ENV.BROKER_STATE_TABLE];
    expect((await start(alice.username, bob.username)).error.code).toBe(BROKER_ERROR.INTERNAL_ERROR);
    expect(denials()).toEqual([DENIAL_REASON.MISCONFIGURED, DENIAL_REASON.MISCONFIGURED]);
    expect(t.world.groupsOf(alice.username)).toEqual(sorted(alice.groups));
  });

  it('a malformed limit refuses only starts: an admin can still end and list their session', async () => {
    await start(alice.username, bob.username);
    process.env[ENV.MAX_STARTS_PER_TARGET_PER_DAY] = 'many';
    t.world.now += 1000;
    expect((await settled(t.harness.broker(alice.username, { action: 'list' }))).sessions).toHaveLength(1);
    expect((await end(alice.username)).ended).toHaveLength(1);
    expect((await start(alice.username, bob.username)).error.code).toBe(BROKER_ERROR.INTERNAL_ERROR);
    expect(denials()).toEqual([DENIAL_REASON.MISCONFIGURED]);
  });

  it('without limits, the broker never touches the state table', async () => {
    delete process.env[ENV.MAX_STARTS_PER_ADMIN_PER_HOUR];
    delete process.env[ENV.MAX_STARTS_PER_TARGET_PER_DAY];
    for (let i = 0; i < 4; i++) expect((await start(alice.username, bob.username)).sessionId).toBeDefined();
    expect(t.world.stateItems.size).toBe(0);
    expect(t.world.journal.some((line) => line.includes('TransactWriteItems'))).toBe(false);
  });
});
