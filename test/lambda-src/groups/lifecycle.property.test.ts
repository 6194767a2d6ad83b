import * as fc from 'fast-check';
import { AUDIT_EVENT, END_CAUSE } from '../../../src/private/contract';
import { LEASE_MS, SWEEP_MINUTES, USERS, groupsWorld, setGroupsEnv } from '../fixtures/groups';
import { drive, type Harness, type Invocation } from '../fixtures/groups-harness';
import type { FakeWorld, FaultKind } from '../fixtures/groups-world';

/**
 * Property tests of the groups session lifecycle: random interleavings of start, end, list,
 * expiry and the sweeper — and the retries of each — by several admins at once, with
 * throttling, lost responses and invocations killed at any call, against stateful fakes of
 * every API the handlers call. After the system quiesces (faults stop, the clock passes
 * every expiry, schedules and the sweeper run), and at every pause in between:
 * - I1: every user's groups are what they were before; a group an admin had is never gone.
 * - I2: every borrowed group is covered by a session record (which the sweeper ends); no
 *   session outlives its expiry by more than a sweep without an error event or a failed
 *   invocation (both alarmed); in the end nothing is borrowed any more.
 * - I3: each request and each end is one audit event.
 * - I4: a non-admin, a disabled admin or a token whose sub is not the live admin's never
 *   gets a session.
 */

let restoreEnv: () => void;

beforeAll(() => {
  restoreEnv = setGroupsEnv();
});
afterAll(() => restoreEnv());
afterEach(() => jest.restoreAllMocks());

const ADMINS = [USERS.alice.username, USERS.dave.username] as const;
const TARGETS = [USERS.bob.username, USERS.carol.username] as const;
/** Who must never get a session: a customer, a disabled admin, and alice's username with another sub. */
const FORBIDDEN = [USERS.eve.username, USERS.dan.username, `${USERS.alice.username}@stale-sub`] as const;
const STALE_SUB = '99999999-aaaa-4bbb-8ccc-000000000009';

type Action =
  | { kind: 'start'; admin: number; target: number; minutes: number }
  | { kind: 'end'; admin: number; named: boolean }
  | { kind: 'list'; admin: number }
  | { kind: 'forbidden'; who: number; target: number }
  | { kind: 'expiry' }
  | { kind: 'sweep' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('start' as const), admin: fc.nat(1), target: fc.nat(1), minutes: fc.integer({ min: 5, max: 30 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('end' as const), admin: fc.nat(1), named: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('list' as const), admin: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forbidden' as const), who: fc.nat(2), target: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'expiry' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'sweep' as const }) },
);

/** A step: up to three actions at once, then the clock moves on. */
const stepArb = fc.record({
  actions: fc.array(actionArb, { minLength: 1, maxLength: 3 }),
  minutesAfter: fc.integer({ min: 0, max: 20 }),
});

const faultArb = fc.array(
  fc.record({
    call: fc.nat(150),
    kind: fc.constantFrom<FaultKind>('throttle', 'throttle', 'lostResponse', 'killBefore', 'killAfter'),
  }),
  { maxLength: 8 },
);

class Run {
  readonly w: FakeWorld;
  readonly h: Harness;
  readonly initial: Map<string, string[]>;
  /** sessionId of each admin's last granted session, for `end` naming one. */
  readonly lastSession = new Map<string, string>();
  readonly forbiddenRuns: Invocation[] = [];

  constructor() {
    ({ world: this.w, harness: this.h } = groupsWorld());
    this.initial = new Map([...this.w.users].map(([name, u]) => [name, [...u.groups].sort()]));
  }

  launch(action: Action): Array<{ invocation: Invocation }> {
    switch (action.kind) {
      case 'start':
        return [this.h.broker(ADMINS[action.admin], {
          action: 'start', target: TARGETS[action.target], reason: 'SUP-1', durationMinutes: action.minutes,
        })];
      case 'end': {
        const sessionId = action.named ? this.lastSession.get(ADMINS[action.admin]) : undefined;
        return [this.h.broker(ADMINS[action.admin], { action: 'end', ...(sessionId ? { sessionId } : {}) })];
      }
      case 'list':
        return [this.h.broker(ADMINS[action.admin], { action: 'list' })];
      case 'forbidden': {
        const who = FORBIDDEN[action.who];
        const [username, sub] = who.endsWith('@stale-sub') ? [who.split('@')[0], STALE_SUB] : [who, undefined];
        const run = this.h.broker(username, { action: 'start', target: TARGETS[action.target], reason: 'SUP-2' }, { sub });
        this.forbiddenRuns.push(run.invocation);
        return [run];
      }
      case 'expiry':
        return this.h.fireDue();
      case 'sweep':
        return [this.h.sweep()];
    }
  }

  noteGranted(): void {
    for (const e of this.h.events) {
      if (e.event === AUDIT_EVENT.GRANTED && e.actor?.username) this.lastSession.set(e.actor.username, e.sessionId);
    }
  }

  /** Safety at a pause: own groups all there; every borrowed group recorded in the admin's session. */
  checkPause(): void {
    for (const [name, before] of this.initial) {
      const now = this.w.groupsOf(name);
      const missing = before.filter((g) => !now.includes(g));
      if (missing.length > 0) this.fail(`I1: ${name} lost own groups ${missing}`);
      const borrowed = now.filter((g) => !before.includes(g));
      if (borrowed.length === 0) continue;
      const item = this.w.items.get(this.w.users.get(name)!.sub);
      const recorded = item?.groups?.L?.map((g) => g.S) ?? [];
      const unrecorded = borrowed.filter((g) => !recorded.includes(g));
      if (unrecorded.length > 0) this.fail(`I2: ${name} holds ${unrecorded} with no session recording them`);
    }
    // A session past its expiry by more than a sweep (and a lease) is late: that must have been alarmed.
    for (const item of this.w.items.values()) {
      const late = Date.parse(item.expiresAt.S!) + (SWEEP_MINUTES * 60_000) + LEASE_MS < this.w.now;
      const alarmed = this.h.events.some((e) => e.event === AUDIT_EVENT.END_FAILED)
        || this.h.invocations.some((i) => i.threw || !i.settled);
      if (late && !alarmed) this.fail(`I2: session ${item.sid.S} is late and nothing alarmed`);
    }
  }

  /** Faults off; the clock passes every expiry and lease; schedules (with retries) and the sweeper run. */
  async quiesce(): Promise<void> {
    this.w.faultsOn = false;
    this.w.gate = undefined;
    for (let round = 0; round < 4; round++) {
      this.w.now += Math.max(SWEEP_MINUTES * 60_000, LEASE_MS) + 31 * 60_000;
      for (let attempt = 0; attempt < 3; attempt++) await Promise.all(this.h.fireDue().map((r) => r.done));
      await this.h.sweep().done;
      this.checkPause();
    }
  }

  checkQuiesced(): void {
    for (const [name, before] of this.initial) {
      const now = this.w.groupsOf(name);
      if (JSON.stringify(now) !== JSON.stringify(before)) this.fail(`I1: ${name} has ${JSON.stringify(now)}, had ${JSON.stringify(before)}`);
    }
    if (this.w.items.size > 0) this.fail(`I2: ${this.w.items.size} sessions never ended`);
    if (this.w.schedules.size > 0) this.fail(`I2: ${this.w.schedules.size} schedules left`);
  }

  checkAudit(): void {
    const { events, invocations } = this.h;
    for (const inv of invocations.filter((i) => i.settled)) {
      const own = this.h.eventsOf(inv);
      if (inv.kind.startsWith('broker:')) {
        // One decision per request; a start may also end the admin's previous session (superseded).
        const decisions = own.filter((e) => !(e.event === AUDIT_EVENT.ENDED && e.cause === END_CAUSE.SUPERSEDED));
        if (decisions.length !== 1) this.fail(`I3: ${inv.kind} wrote ${decisions.length} decisions`);
        if (own.length - decisions.length > 1) this.fail(`I3: ${inv.kind} superseded more than one session`);
      } else if (inv.kind === 'endSession') {
        if (own.length !== 1) this.fail(`I3: EndSession wrote ${own.length} events`);
      } else {
        // One event per session it acted on, or the one event saying it could not look.
        const ids = own.map((e) => e.sessionId);
        const unnamed = ids.filter((id) => !id).length;
        if (new Set(ids).size !== ids.length || (unnamed > 0 && own.length !== 1)) this.fail('I3: the sweeper wrote twice for a session');
      }
    }
    const granted = new Map<string, number>();
    const ended = new Map<string, number>();
    for (const e of events) {
      if (e.event === AUDIT_EVENT.GRANTED) granted.set(e.sessionId, (granted.get(e.sessionId) ?? 0) + 1);
      if (e.event === AUDIT_EVENT.ENDED && e.alreadyEnded !== true) ended.set(e.sessionId, (ended.get(e.sessionId) ?? 0) + 1);
    }
    for (const [id, n] of [...granted, ...ended]) {
      if (n > 1) this.fail(`I3: session ${id} has ${n} events of one kind: ${JSON.stringify(events.filter((e) => e.sessionId === id).map((e) => [e.source, e.event, e.cause, e.groupsRemoved]))}`);
    }
    // Exactly one end event per granted session, unless an outcome was unknowable (a call took
    // effect but its answer was lost, or an invocation died): then the end may be recorded as
    // end_failed, or as the refusal of the admin's request naming the session (and later found
    // already ended), never twice.
    const ambiguous = this.w.kills > 0 || this.w.lostResponses > 0;
    for (const id of granted.keys()) {
      const failed = events.some((e) => (e.event === AUDIT_EVENT.END_FAILED || e.event === AUDIT_EVENT.DENIED) && e.sessionId === id);
      if (ended.get(id) !== 1 && !(ambiguous && (failed || this.w.kills > 0))) this.fail(`I3: granted session ${id} has no end event`);
    }
  }

  checkForbidden(): void {
    for (const inv of this.forbiddenRuns) {
      if (inv.settled && !(inv.result as any)?.error) this.fail('I4: a forbidden caller got an answer that is not an error');
    }
    const granted = this.h.events.filter((e) => e.event === AUDIT_EVENT.GRANTED);
    for (const e of granted) {
      if (!ADMINS.includes(e.actor?.username) || e.actor?.sub === STALE_SUB) this.fail(`I4: ${JSON.stringify(e.actor)} got a session`);
    }
  }

  fail(message: string): never {
    throw new Error(`${message}\n${this.w.journal.slice(-80).join('\n')}`);
  }
}

type Step = { actions: Action[]; minutesAfter: number };

async function play(s: fc.Scheduler, steps: Step[], faults: Array<{ call: number; kind: FaultKind }>): Promise<void> {
  const run = new Run();
  faults.forEach((f) => run.w.faults.set(f.call, f.kind));
  run.w.gate = () => s.schedule(Promise.resolve());
  const sweepMs = SWEEP_MINUTES * 60_000;
  for (const step of steps) {
    for (const action of step.actions) run.launch(action);
    await drive(s);
    run.noteGranted();
    run.checkPause();
    // What AWS does as time passes: due schedules fire, the sweeper runs on its rate.
    const before = run.w.now;
    run.w.now += step.minutesAfter * 60_000;
    run.h.fireDue();
    if (Math.floor(run.w.now / sweepMs) > Math.floor(before / sweepMs)) run.h.sweep();
    await drive(s);
    run.noteGranted();
    run.checkPause();
  }
  await run.quiesce();
  run.checkQuiesced();
  run.checkAudit();
  run.checkForbidden();
}

const RUNS = 1000;

test(`I1-I4 hold for random interleavings with faults (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.array(stepArb, { minLength: 1, maxLength: 5 }), faultArb, (s, steps, faults) => play(s, steps, faults)),
    { numRuns: RUNS },
  );
}, 300_000);

test(`I1-I4 hold when one admin's requests race each other with faults (${RUNS} runs)`, async () => {
  const sameAdmin = fc.array(
    fc.record({
      actions: fc.array(fc.oneof(
        fc.record({ kind: fc.constant('start' as const), admin: fc.constant(0), target: fc.nat(1), minutes: fc.constant(5) }),
        fc.record({ kind: fc.constant('end' as const), admin: fc.constant(0), named: fc.boolean() }),
        fc.constant({ kind: 'sweep' as const }),
        fc.constant({ kind: 'expiry' as const }),
      ), { minLength: 2, maxLength: 3 }),
      minutesAfter: fc.constantFrom(0, 1, 3, 6),
    }),
    { minLength: 1, maxLength: 4 },
  );
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), sameAdmin, faultArb, (s, steps, faults) => play(s, steps, faults)),
    { numRuns: RUNS },
  );
}, 300_000);
