import * as fc from 'fast-check';
import { AUDIT_EVENT, BROKER_STATE, DENIAL_REASON, END_CAUSE, ENV } from '../../../src/private/contract';
import { USERS, groupsWorld, setGroupsEnv } from '../fixtures/groups';
import { drive, type Invocation } from '../fixtures/groups-harness';
import type { FakeWorld, FaultKind } from '../fixtures/groups-world';

/**
 * Volume limits under concurrency and faults: random batches of concurrent starts (and ends)
 * by two admins of two targets, interleaved call by call by fast-check's scheduler, with
 * throttling, lost answers and invocations killed at any call, while the clock crosses hour
 * and day boundaries. After every run:
 * - L1: no admin was granted more than N impersonations in one clock hour, and no target
 *   more than M in one UTC day (concurrent starts never overshoot);
 * - L2: every grant was counted: each window's counter is at least its grants, and never
 *   above its limit (a lost answer may count a start that was refused: fewer, never more);
 * - L3: a start refused for a limit changed nothing: it granted nothing and superseded nothing;
 * - L4: each broker request that finished wrote exactly one decision.
 */

const STATE_TABLE = 'TestStack-ImpersonationBrokerState-9Z8Y7X';
const PER_ADMIN = 2;
const PER_TARGET = 3;
const ADMINS = [USERS.alice.username, USERS.dave.username] as const;
const TARGETS = [USERS.bob.username, USERS.carol.username] as const;
const HOUR = 3_600_000;

let restoreEnv: () => void;
beforeAll(() => {
  restoreEnv = setGroupsEnv();
  process.env[ENV.BROKER_STATE_TABLE] = STATE_TABLE;
  process.env[ENV.MAX_STARTS_PER_ADMIN_PER_HOUR] = String(PER_ADMIN);
  process.env[ENV.MAX_STARTS_PER_TARGET_PER_DAY] = String(PER_TARGET);
});
afterAll(() => restoreEnv());
afterEach(() => jest.restoreAllMocks());

type Action = { kind: 'start'; admin: number; target: number } | { kind: 'end'; admin: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('start' as const), admin: fc.nat(1), target: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const), admin: fc.nat(1) }) },
);
/** A batch of concurrent requests, then the clock moves on (sometimes into the next hour or day). */
const stepArb = fc.record({
  actions: fc.array(actionArb, { minLength: 1, maxLength: 4 }),
  minutesAfter: fc.constantFrom(0, 1, 20, 61, 24 * 60),
});
const faultArb = fc.array(
  fc.record({ call: fc.nat(120), kind: fc.constantFrom<FaultKind>('throttle', 'lostResponse', 'killBefore', 'killAfter') }),
  { maxLength: 6 },
);

function fail(w: FakeWorld, message: string): never {
  throw new Error(`${message}\n${w.journal.slice(-60).join('\n')}`);
}

async function play(s: fc.Scheduler, steps: Array<{ actions: Action[]; minutesAfter: number }>, faults: Array<{ call: number; kind: FaultKind }>) {
  const { world: w, harness: h } = groupsWorld();
  w.stateTableName = STATE_TABLE;
  faults.forEach((f) => w.faults.set(f.call, f.kind));
  w.gate = () => s.schedule(Promise.resolve());
  const starts: Invocation[] = [];
  for (const step of steps) {
    const runs = step.actions.map((a) => {
      const body = a.kind === 'start'
        ? { action: 'start', target: TARGETS[a.target], reason: 'SUP-9', durationMinutes: 5 }
        : { action: 'end' };
      const run = h.broker(ADMINS[a.admin], body);
      if (a.kind === 'start') starts.push(run.invocation);
      return run;
    });
    await drive(s);
    expect(runs.length).toBeGreaterThan(0);
    // A new sign-in per step: an end or a superseding start signs the admin out.
    w.now += step.minutesAfter * 60_000 + 1000;
  }

  const subOf = (username: string) => w.users.get(username)!.sub;
  const granted = h.events.filter((e) => e.event === AUDIT_EVENT.GRANTED);
  const perAdminHour = new Map<string, number>();
  const perTargetDay = new Map<string, number>();
  for (const e of granted) {
    const hour = new Date(Math.floor(Date.parse(e.startedAt) / HOUR) * HOUR).toISOString().slice(0, 13);
    const adminKey = `${BROKER_STATE.PREFIX.ADMIN_STARTS}${e.actor.sub}#${hour}`;
    const targetKey = `${BROKER_STATE.PREFIX.TARGET_STARTS}${e.target.sub}#${hour.slice(0, 10)}`;
    perAdminHour.set(adminKey, (perAdminHour.get(adminKey) ?? 0) + 1);
    perTargetDay.set(targetKey, (perTargetDay.get(targetKey) ?? 0) + 1);
  }
  // L1
  for (const [key, n] of perAdminHour) if (n > PER_ADMIN) fail(w, `L1: ${n} grants in ${key}`);
  for (const [key, n] of perTargetDay) if (n > PER_TARGET) fail(w, `L1: ${n} grants in ${key}`);
  // L2
  for (const [key, n] of [...perAdminHour, ...perTargetDay]) {
    const counted = Number(w.stateItems.get(key)?.starts?.N ?? 0);
    if (counted < n) fail(w, `L2: ${key} counted ${counted} of ${n} grants`);
  }
  for (const [key, item] of w.stateItems) {
    const limit = key.startsWith(BROKER_STATE.PREFIX.ADMIN_STARTS) ? PER_ADMIN : PER_TARGET;
    if (Number(item.starts.N) > limit) fail(w, `L2: ${key} counted ${item.starts.N}, above ${limit}`);
  }
  expect(TARGETS.map(subOf)).toHaveLength(2);
  // L3 and L4
  for (const inv of h.invocations.filter((i) => i.settled)) {
    const own = h.eventsOf(inv);
    const decisions = own.filter((e) => !(e.event === AUDIT_EVENT.ENDED && e.cause === END_CAUSE.SUPERSEDED));
    if (decisions.length !== 1) fail(w, `L4: ${inv.kind} wrote ${decisions.length} decisions`);
    const reason = decisions[0].denialReason;
    if ((reason === DENIAL_REASON.ADMIN_LIMIT_REACHED || reason === DENIAL_REASON.TARGET_LIMIT_REACHED) && own.length !== 1) {
      fail(w, `L3: a start refused for ${reason} also ended a session`);
    }
  }
}

test('L1-L4 hold for concurrent starts of two admins and two targets with faults (1000 runs)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.array(stepArb, { minLength: 1, maxLength: 5 }), faultArb, (s, steps, faults) => play(s, steps, faults)),
    { numRuns: 1000 },
  );
}, 300_000);
