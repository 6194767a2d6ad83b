import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { AUDIT_EVENT, END_CAUSE, STRATEGY } from '../../../src/private/contract';
import { APPROVAL_TEST_ENV, APPROVERS, withApproval } from '../fixtures/approval';
import { GROUPS_TEST_ENV, USERS, groupsWorld, setGroupsEnv } from '../fixtures/groups';
import { drive, type Harness } from '../fixtures/groups-harness';
import type { FakeWorld, FaultKind } from '../fixtures/groups-world';

/**
 * Property tests of the approval state machine (README, "Approval (four-eyes)"): random
 * interleavings of requests, approvals, rejections, uses, listings, self-approvals, decisions
 * by a non-member and the clock passing timeouts and completion windows — concurrently, with
 * throttling and lost responses — against the fake world's state table. After every run:
 * - A1: every granted impersonation used an approval approved by a member of the approver
 *   group other than the requester, before the request expired and used within its completion
 *   window, bound to the same requester, target, reason and strategy;
 * - A2: each approval grants at most one impersonation;
 * - A3: a request is decided at most once (approve, reject or expiry: one outcome), and its
 *   item only ever moves PENDING -> APPROVED -> USED or PENDING -> REJECTED;
 * - A4: each broker request writes exactly one audit event.
 */

let restoreEnv: () => void;
beforeAll(() => {
  restoreEnv = setGroupsEnv();
});
afterAll(() => restoreEnv());
afterEach(() => jest.restoreAllMocks());

const MINUTE = 60_000;
const { alice, dave, bob, carol, eve } = USERS;
const { paula, quinn } = APPROVERS;
/** alice and quinn request (quinn is also an approver); dave is an admin who only tries others' approvals. */
const REQUESTERS = [alice.username, quinn.username] as const;
const USERS_OF_APPROVALS = [alice.username, quinn.username, dave.username] as const;
/** Who decides: two approvers, a non-member, and a requester (who may be deciding their own). */
const DECIDERS = [paula.username, quinn.username, eve.username, alice.username] as const;
const APPROVER_NAMES: readonly string[] = [paula.username, quinn.username];
const TARGETS = [bob.username, carol.username] as const;
const REASONS = ['SUP-1 checkout fails', 'SUP-2 invoices'] as const;
const UNKNOWN_ID = '0b0b0b0b-0000-4000-8000-000000000000';

type Action =
  | { kind: 'request'; who: number; target: number; reason: number }
  | { kind: 'approve' | 'reject'; who: number; approval: number }
  | { kind: 'use'; who: number; approval: number; target: number; reason: number }
  | { kind: 'pending'; who: number }
  | { kind: 'clock'; minutes: number };

const approvalIndex = fc.nat(5);
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('request' as const), who: fc.nat(1), target: fc.nat(1), reason: fc.nat(1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('approve' as const), who: fc.nat(3), approval: approvalIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), who: fc.nat(3), approval: approvalIndex }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('use' as const), who: fc.nat(2), approval: approvalIndex, target: fc.nat(1), reason: fc.nat(1) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pending' as const), who: fc.nat(3) }) },
  // The clock moves while calls are in flight: a decision or a use races the timeout or the window.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clock' as const), minutes: fc.constantFrom(1, 5, 9, 10, 20, 30) }) },
);

const stepArb = fc.record({
  actions: fc.array(actionArb, { minLength: 1, maxLength: 4 }),
  minutesAfter: fc.constantFrom(0, 1, 5, 11, 31),
});

/** Throttles and lost responses, on the state table and on Cognito alike. */
const faultArb = fc.array(
  fc.record({ call: fc.nat(200), kind: fc.constantFrom<FaultKind>('throttle', 'lostResponse') }),
  { maxLength: 8 },
);

type Item = Record<string, AttributeValue>;

/** What the runs got to, so that a property that holds because nothing happened is noticed. */
const reached = { granted: 0, approved: 0, rejected: 0, selfApprovalRefused: 0, expiredRefused: 0, usedRefused: 0 };

function noteReached(events: ReadonlyArray<Record<string, any>>): void {
  for (const e of events) {
    if (e.event === AUDIT_EVENT.GRANTED) reached.granted++;
    if (e.event === AUDIT_EVENT.APPROVED) reached.approved++;
    if (e.event === AUDIT_EVENT.REJECTED) reached.rejected++;
    if (e.denialReason === 'SelfApproval') reached.selfApprovalRefused++;
    if (e.denialReason === 'ApprovalExpired') reached.expiredRefused++;
    if (e.denialReason === 'ApprovalUsed') reached.usedRefused++;
  }
}

class Run {
  readonly w: FakeWorld;
  readonly h: Harness;
  /** Every version each approval item had, in order (the table's write history). */
  readonly history = new Map<string, Item[]>();
  /** Approval ids in the order they appeared, for actions that name one by index. */
  readonly ids: string[] = [];
  readonly restore: () => void;

  constructor(readonly s: fc.Scheduler) {
    ({ world: this.w, harness: this.h } = groupsWorld());
    this.restore = withApproval(this.w, { adminGroup: GROUPS_TEST_ENV.adminGroup });
    this.w.journaling = false;
    const set = this.w.stateItems.set.bind(this.w.stateItems);
    this.w.stateItems.set = (pk: string, item: Item) => {
      this.history.set(pk, [...this.history.get(pk) ?? [], structuredClone(item)]);
      if (!this.ids.includes(item.id.S!)) this.ids.push(item.id.S!);
      return set(pk, item);
    };
  }

  idAt(index: number): string {
    return this.ids.length === 0 ? UNKNOWN_ID : this.ids[index % this.ids.length];
  }

  launch(action: Action): void {
    switch (action.kind) {
      case 'request':
        this.h.broker(REQUESTERS[action.who], { action: 'start', target: TARGETS[action.target], reason: REASONS[action.reason], durationMinutes: 5 });
        return;
      case 'approve':
      case 'reject':
        this.h.broker(DECIDERS[action.who], { action: action.kind, approvalId: this.idAt(action.approval) });
        return;
      case 'use':
        this.h.broker(USERS_OF_APPROVALS[action.who], {
          action: 'start', target: TARGETS[action.target], reason: REASONS[action.reason], durationMinutes: 5, approvalId: this.idAt(action.approval),
        });
        return;
      case 'pending':
        this.h.broker(DECIDERS[action.who], { action: 'pending' });
        return;
      case 'clock':
        void this.s.schedule(Promise.resolve()).then(() => {
          this.w.now += action.minutes * MINUTE;
        });
        return;
    }
  }

  check(): void {
    const events = this.h.events;
    const subOf = (username: string) => this.w.users.get(username)?.sub;
    // A4: one decision per settled request (a start may also end the admin's previous session).
    for (const inv of this.h.invocations.filter((i) => i.settled)) {
      const own = this.h.eventsOf(inv).filter((e) => !(e.event === AUDIT_EVENT.ENDED && e.cause === END_CAUSE.SUPERSEDED));
      if (own.length !== 1) this.fail(`A4: ${inv.kind} wrote ${own.length} decisions`);
    }
    if (this.h.invocations.some((i) => !i.settled)) this.fail('an invocation never settled');
    // A1 and A2.
    const grantsPerApproval = new Map<string, number>();
    for (const e of events.filter((x) => x.event === AUDIT_EVENT.GRANTED)) {
      if (!e.approvalId) this.fail(`A1: granted without an approval: ${JSON.stringify(e)}`);
      grantsPerApproval.set(e.approvalId, (grantsPerApproval.get(e.approvalId) ?? 0) + 1);
      const item = this.w.stateItems.get(`approval#${e.approvalId}`);
      if (!item) this.fail(`A1: granted with an approval not in the table: ${e.approvalId}`);
      const n = (name: string) => Number(item[name]?.N);
      const approverName = item.approverUsername?.S ?? '';
      if (item.state.S !== 'USED') this.fail(`A1: granted, but the approval is ${item.state.S}`);
      if (!APPROVER_NAMES.includes(approverName) || item.approverSub?.S !== subOf(approverName)) this.fail(`A1: approved by ${approverName}`);
      if (item.approverSub?.S === item.requesterSub.S) this.fail('A1: self-approved');
      if (!(n('decidedAt') < n('expiresAt'))) this.fail('A1: decided after its timeout');
      if (n('completeBy') !== n('decidedAt') + APPROVAL_TEST_ENV.windowMinutes * MINUTE) this.fail('A1: wrong completion window');
      if (!(n('usedAt') < n('completeBy')) || Date.parse(e.startedAt) < n('usedAt')) this.fail('A1: used outside its completion window');
      if (item.requesterSub.S !== e.actor?.sub || item.targetSub.S !== e.target?.sub
        || item.reason.S !== (e.reason ?? '') || item.strategy.S !== STRATEGY.GROUPS || item.durationMinutes.N !== '5') {
        this.fail(`A1: granted for something else than approved: ${JSON.stringify(e)} vs ${JSON.stringify(item)}`);
      }
      if (e.approver?.sub !== item.approverSub?.S) this.fail('A1: the granted event names another approver');
    }
    for (const [id, n] of grantsPerApproval) if (n > 1) this.fail(`A2: approval ${id} granted ${n} times`);
    // A3: the write history of every item is a path of the state machine; a decision is never rewritten.
    const allowed: Record<string, string[]> = { PENDING: ['APPROVED', 'REJECTED'], APPROVED: ['USED'], REJECTED: [], USED: [] };
    for (const [pk, versions] of this.history) {
      if (versions[0].state.S !== 'PENDING') this.fail(`A3: ${pk} was created ${versions[0].state.S}`);
      for (let i = 1; i < versions.length; i++) {
        const [before, after] = [versions[i - 1], versions[i]];
        if (!allowed[before.state.S!].includes(after.state.S!)) this.fail(`A3: ${pk} went ${before.state.S} -> ${after.state.S}`);
        if (before.approverSub && (after.approverSub?.S !== before.approverSub.S || after.decidedAt?.N !== before.decidedAt.N)) {
          this.fail(`A3: ${pk}'s decision was rewritten`);
        }
        if (before.state.S === 'PENDING' && !(Number(after.decidedAt.N) < Number(after.expiresAt.N))) this.fail(`A3: ${pk} decided after expiry`);
        if (before.state.S === 'PENDING' && after.approverSub?.S === after.requesterSub.S) this.fail(`A3: ${pk} decided by its requester`);
        if (before.state.S === 'PENDING' && !APPROVER_NAMES.includes(after.approverUsername?.S ?? '')) this.fail(`A3: ${pk} decided by a non-member`);
      }
    }
    const decisions = new Map<string, number>();
    for (const e of events.filter((x) => x.event === AUDIT_EVENT.APPROVED || x.event === AUDIT_EVENT.REJECTED)) {
      decisions.set(e.approvalId, (decisions.get(e.approvalId) ?? 0) + 1);
      const state = this.w.stateItems.get(`approval#${e.approvalId}`)?.state.S;
      const consistent = e.event === AUDIT_EVENT.REJECTED ? state === 'REJECTED' : state === 'APPROVED' || state === 'USED';
      if (!consistent) this.fail(`A3: ${e.event} audited, but the request is ${state}`);
    }
    for (const [id, n] of decisions) if (n > 1) this.fail(`A3: ${id} decided ${n} times`);
  }

  fail(message: string): never {
    throw new Error(`${message}\n${this.h.events.map((e) => `${e.event} ${e.action} ${e.actor?.username} ${e.approvalId ?? ''} ${e.denialReason ?? ''}`).join('\n')}`);
  }
}

async function play(s: fc.Scheduler, steps: Array<{ actions: Action[]; minutesAfter: number }>, faults: Array<{ call: number; kind: FaultKind }>) {
  const run = new Run(s);
  try {
    faults.forEach((f) => run.w.faults.set(f.call, f.kind));
    run.w.gate = () => s.schedule(Promise.resolve());
    for (const step of steps) {
      for (const action of step.actions) run.launch(action);
      await drive(s);
      // A second at least: a new token is never from the same second as a sign-out that a supersede did.
      run.w.now += step.minutesAfter * MINUTE + 1000;
    }
    run.check();
    noteReached(run.h.events);
  } finally {
    run.restore();
  }
}

const RUNS = 1000;

afterAll(() => {
  for (const [what, count] of Object.entries(reached)) {
    if (count === 0) throw new Error(`no run reached ${what}: the properties were not exercised`);
  }
});

test(`A1-A4 hold for random interleavings of requests, decisions, uses and the clock, with faults (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.array(stepArb, { minLength: 1, maxLength: 5 }), faultArb, (s, steps, faults) => play(s, steps, faults)),
    { numRuns: RUNS },
  );
}, 300_000);

test(`A2-A3 hold when two approvers and the requester race on one request (${RUNS} runs)`, async () => {
  // One request, then everyone at once: both approvers approve or reject, the requester uses it (twice), the clock moves.
  const racing = fc.record({
    actions: fc.array(fc.oneof(
      fc.record({ kind: fc.constantFrom('approve' as const, 'reject' as const), who: fc.nat(1), approval: fc.constant(0) }),
      fc.record({ kind: fc.constant('use' as const), who: fc.constant(0), approval: fc.constant(0), target: fc.constant(0), reason: fc.constant(0) }),
      fc.record({ kind: fc.constant('clock' as const), minutes: fc.constantFrom(9, 10, 30) }),
    ), { minLength: 2, maxLength: 5 }),
    minutesAfter: fc.constantFrom(0, 5),
  });
  const first = { actions: [{ kind: 'request' as const, who: 0, target: 0, reason: 0 }], minutesAfter: 0 };
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.array(racing, { minLength: 1, maxLength: 3 }), faultArb,
      (s, steps, faults) => play(s, [first, ...steps], faults)),
    { numRuns: RUNS },
  );
}, 300_000);
