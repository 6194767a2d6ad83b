import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON, ENV, STRATEGY } from '../../../src/private/contract';
import { APPROVAL_TEST_ENV, APPROVERS, withApproval } from '../fixtures/approval';
import { GROUPS_TEST_ENV, USERS, groupsTestFile, settled } from '../fixtures/groups';

/**
 * The approval state machine through the broker (groups strategy, and the customChallenge gate):
 * requested -> approved / rejected / expired -> used, every refusal typed, every request one
 * audit event, against the fake world's state table.
 */

const t = groupsTestFile();
let restore: () => void = () => undefined;
beforeEach(() => {
  restore = withApproval(t.world, { adminGroup: GROUPS_TEST_ENV.adminGroup });
});
afterEach(() => restore());

const { alice, bob, carol, dave, eve } = USERS;
const { paula, quinn } = APPROVERS;
const REASON = 'SUP-4711 checkout fails';
const MINUTE = 60_000;

function broker(as: string, body: Record<string, unknown>, options: { sub?: string } = {}) {
  return settled(t.harness.broker(as, body, options));
}
const request = (as: string = alice.username, body: Record<string, unknown> = {}) =>
  broker(as, { action: 'start', target: bob.username, reason: REASON, ...body });
const approve = (id: string, as: string = paula.username) => broker(as, { action: 'approve', approvalId: id });
const reject = (id: string, as: string = paula.username, note?: string) => broker(as, { action: 'reject', approvalId: id, ...(note ? { reason: note } : {}) });
const complete = (id: string, as: string = alice.username, body: Record<string, unknown> = {}) => request(as, { approvalId: id, ...body });
const item = (id: string) => t.world.stateItems.get(`approval#${id}`);
const refused = (code: string) => ({ error: expect.objectContaining({ code }) });
const eventsOf = (event: string) => t.harness.events.filter((e) => e.event === event);
const lastEvent = () => t.harness.events[t.harness.events.length - 1];
const sub = (username: string) => t.world.users.get(username)!.sub;

/** A request by alice for bob, approved by paula: its id. */
async function approved(): Promise<string> {
  const { approval } = await request();
  await approve(approval.requestId);
  return approval.requestId;
}

describe('start: a target that needs approval', () => {
  it('answers with a pending request, changes nothing else, and audits approval_requested', async () => {
    const groupsBefore = t.world.groupsOf(alice.username);
    const response = await request();
    expect(response).toEqual({
      approval: { requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), state: 'PENDING', expiresAt: new Date(t.world.now + 30 * MINUTE).toISOString() },
      message: expect.stringContaining('needs approval'),
    });
    expect(t.world.groupsOf(alice.username)).toEqual(groupsBefore);
    expect(t.world.items.size).toBe(0);
    expect(t.world.schedules.size).toBe(0);
    const stored = item(response.approval.requestId)!;
    expect(stored).toMatchObject({
      state: { S: 'PENDING' },
      requesterSub: { S: sub(alice.username) },
      targetSub: { S: sub(bob.username) },
      reason: { S: REASON },
      strategy: { S: STRATEGY.GROUPS },
      durationMinutes: { N: '15' },
      expiresAt: { N: String(t.world.now + 30 * MINUTE) },
      // The TTL: 7 days after the last moment it could be used (decided at the timeout, used at the end of the window).
      ttl: { N: String(Math.ceil((t.world.now + 40 * MINUTE + 7 * 86_400_000) / 1000)) },
    });
    expect(t.harness.events).toEqual([expect.objectContaining({
      event: AUDIT_EVENT.APPROVAL_REQUESTED,
      action: 'start',
      approvalId: response.approval.requestId,
      actor: { sub: sub(alice.username), username: alice.username },
      target: { requested: bob.username, sub: sub(bob.username), username: bob.username },
      reason: REASON,
    })]);
  });

  it('still refuses what every start refuses, before any request is created', async () => {
    expect(await request(alice.username, { target: paula.username })).toEqual(refused(BROKER_ERROR.TARGET_PROTECTED));
    expect(await request(eve.username)).toEqual(refused(BROKER_ERROR.FORBIDDEN));
    expect(t.world.stateItems.size).toBe(0);
  });

  it('with targetGroups, only targets in one of them need approval', async () => {
    restore();
    restore = withApprovalAgain({ targetGroups: ['enterprise-plan'] });
    const direct = await request(alice.username, { target: bob.username });
    expect(direct.groupsAdded).toEqual(['beta-testers', 'billing-viewers']);
    const gated = await request(dave.username, { target: carol.username });
    expect(gated.approval.state).toBe('PENDING');
    expect(eventsOf(AUDIT_EVENT.GRANTED)).toHaveLength(1);
    expect(eventsOf(AUDIT_EVENT.APPROVAL_REQUESTED)).toHaveLength(1);
  });
});

function withApprovalAgain(options: { targetGroups?: string[] }): () => void {
  t.world.users.delete(paula.username);
  t.world.users.delete(quinn.username);
  return withApproval(t.world, { ...options, adminGroup: GROUPS_TEST_ENV.adminGroup });
}

describe('approve and reject', () => {
  it('an approver approves: APPROVED with a completion window, one approved event', async () => {
    const { approval } = await request();
    t.world.now += 5 * MINUTE;
    const response = await approve(approval.requestId);
    expect(response.approval).toMatchObject({
      requestId: approval.requestId,
      state: 'APPROVED',
      requester: { sub: sub(alice.username), username: alice.username },
      target: { sub: sub(bob.username), username: bob.username },
      approver: { sub: sub(paula.username), username: paula.username },
      completeBy: new Date(t.world.now + 10 * MINUTE).toISOString(),
    });
    expect(item(approval.requestId)).toMatchObject({ state: { S: 'APPROVED' }, approverSub: { S: sub(paula.username) } });
    expect(lastEvent()).toMatchObject({
      event: AUDIT_EVENT.APPROVED,
      action: 'approve',
      approvalId: approval.requestId,
      actor: { username: paula.username },
      requester: { username: alice.username },
      target: { username: bob.username },
      reason: REASON,
    });
  });

  it('an approver rejects with a note: REJECTED, and the requester cannot use it', async () => {
    const { approval } = await request();
    const response = await reject(approval.requestId, paula.username, 'not without the customer\'s consent');
    expect(response.approval).toMatchObject({ state: 'REJECTED', rejectionNote: 'not without the customer\'s consent' });
    expect(lastEvent()).toMatchObject({ event: AUDIT_EVENT.REJECTED, rejectionNote: 'not without the customer\'s consent' });
    expect(await complete(approval.requestId)).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.APPROVAL_REJECTED, approvalId: approval.requestId });
  });

  it('a rejection note is validated like a reason', async () => {
    const { approval } = await request();
    expect(await reject(approval.requestId, paula.username, 'a\u202enote')).toEqual(refused(BROKER_ERROR.INVALID_REQUEST));
    expect(item(approval.requestId)!.state.S).toBe('PENDING');
  });

  it.each([
    ['approve', approve],
    ['reject', (id: string, as?: string) => reject(id, as)],
  ])('the requester cannot %s their own request, even as an approver: SelfApproval, nothing changes', async (_, decide) => {
    const { approval } = await request(quinn.username);
    expect(approval.state).toBe('PENDING');
    expect(await decide(approval.requestId, quinn.username)).toEqual(refused(BROKER_ERROR.FORBIDDEN));
    expect(item(approval.requestId)!.state.S).toBe('PENDING');
    expect(lastEvent()).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.SELF_APPROVAL, approvalId: approval.requestId });
  });

  it('an admin who is not an approver cannot approve: NotApprover', async () => {
    const { approval } = await request();
    expect(await approve(approval.requestId, dave.username)).toEqual(refused(BROKER_ERROR.FORBIDDEN));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.NOT_APPROVER });
    expect(item(approval.requestId)!.state.S).toBe('PENDING');
  });

  it('an approver removed from the group, or disabled, cannot approve with a token issued before', async () => {
    const { approval } = await request();
    const token = t.world.accessToken(paula.username);
    t.world.users.get(paula.username)!.groups = [];
    const run = t.harness.run('broker:approve', t.harness.handlers.broker, { accessToken: token, action: 'approve', approvalId: approval.requestId });
    await run.done;
    expect(run.invocation.result).toEqual(refused(BROKER_ERROR.FORBIDDEN));
    expect(item(approval.requestId)!.state.S).toBe('PENDING');
  });

  it('a token naming another sub than the live approver\'s is refused (Unauthorized)', async () => {
    const { approval } = await request();
    expect(await broker(paula.username, { action: 'approve', approvalId: approval.requestId }, { sub: '99999999-aaaa-4bbb-8ccc-000000000009' }))
      .toEqual(refused(BROKER_ERROR.UNAUTHORIZED));
    expect(item(approval.requestId)!.state.S).toBe('PENDING');
  });

  it('a decided request cannot be decided again; the refusal names the state', async () => {
    const { approval } = await request();
    await approve(approval.requestId);
    expect(await reject(approval.requestId, quinn.username)).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_ALREADY_APPROVED });
    const other = await request(dave.username);
    await reject(other.approval.requestId);
    expect(await approve(other.approval.requestId, quinn.username)).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_REJECTED });
    expect(item(approval.requestId)!.approverSub.S).toBe(sub(paula.username));
  });

  it('a request not decided before its timeout expires: approving it is refused (ApprovalExpired)', async () => {
    const { approval } = await request();
    t.world.now += 30 * MINUTE;
    expect(await approve(approval.requestId)).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_EXPIRED });
    expect(item(approval.requestId)!.state.S).toBe('PENDING');
  });

  it('an unknown request: ApprovalNotFound; a malformed id or a missing one: InvalidRequest', async () => {
    expect(await approve('0b0b0b0b-0000-4000-8000-000000000000')).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_NOT_FOUND });
    expect(await approve('approval#x')).toEqual(refused(BROKER_ERROR.INVALID_REQUEST));
    expect(await broker(paula.username, { action: 'approve' })).toEqual(refused(BROKER_ERROR.INVALID_REQUEST));
    expect(await broker(paula.username, { action: 'approve', approvalId: '0b0b0b0b-0000-4000-8000-000000000000', reason: 'x' }))
      .toEqual(refused(BROKER_ERROR.INVALID_REQUEST));
  });

  it('two approvers at once: exactly one decision wins, the other is refused with the state', async () => {
    const { approval } = await request();
    const [a, b] = await Promise.all([approve(approval.requestId, paula.username), reject(approval.requestId, quinn.username)]);
    const winners = [a, b].filter((r) => !r.error);
    expect(winners).toHaveLength(1);
    expect([a, b].filter((r) => r.error?.code === BROKER_ERROR.APPROVAL_REFUSED)).toHaveLength(1);
    expect(eventsOf(AUDIT_EVENT.APPROVED).length + eventsOf(AUDIT_EVENT.REJECTED).length).toBe(1);
  });

  it('the state table failing refuses the decision (LookupFailed -> InternalError) and audits it', async () => {
    const { approval } = await request();
    t.world.faultFor = (command) => (command === 'UpdateItem' ? 'throttle' : undefined);
    expect(await approve(approval.requestId)).toEqual(refused(BROKER_ERROR.INTERNAL_ERROR));
    expect(lastEvent()).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.LOOKUP_FAILED });
    expect(item(approval.requestId)!.state.S).toBe('PENDING');
  });
});

describe('start with an approval', () => {
  it('completes the start, spends the approval, and the granted event names the approval and its approver', async () => {
    const id = await approved();
    t.world.now += 9 * MINUTE;
    const response = await complete(id);
    expect(response.groupsAdded).toEqual(['beta-testers', 'billing-viewers']);
    expect(item(id)).toMatchObject({ state: { S: 'USED' }, usedAt: { N: String(t.world.now) } });
    expect(lastEvent()).toMatchObject({
      event: AUDIT_EVENT.GRANTED,
      approvalId: id,
      approver: { sub: sub(paula.username), username: paula.username },
      actor: { username: alice.username },
      target: { username: bob.username },
    });
  });

  it('the target may be named by sub; the reason is compared trimmed', async () => {
    const id = await approved();
    const response = await complete(id, alice.username, { target: sub(bob.username), reason: `  ${REASON} ` });
    expect(response.sessionId).toBeDefined();
  });

  it('an approval grants once: the second use is refused (ApprovalUsed)', async () => {
    const id = await approved();
    await complete(id);
    await broker(alice.username, { action: 'end' });
    // The end signed alice out: a new sign-in.
    t.world.now += 1000;
    expect(await complete(id)).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_USED, approvalId: id });
    expect(eventsOf(AUDIT_EVENT.GRANTED)).toHaveLength(1);
  });

  it('still pending: ApprovalPending, and it stays pending', async () => {
    const { approval } = await request();
    expect(await complete(approval.requestId)).toEqual(refused(BROKER_ERROR.APPROVAL_PENDING));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_PENDING });
    expect(item(approval.requestId)!.state.S).toBe('PENDING');
  });

  it('after the completion window: ApprovalExpired, nothing granted', async () => {
    const id = await approved();
    t.world.now += 10 * MINUTE;
    expect(await complete(id)).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_EXPIRED });
    expect(eventsOf(AUDIT_EVENT.GRANTED)).toHaveLength(0);
    expect(item(id)!.state.S).toBe('APPROVED');
  });

  it.each([
    ['another requester', dave.username, {}],
    ['another target', alice.username, { target: carol.username }],
    ['another reason', alice.username, { reason: 'SUP-9999 something else' }],
    ['another duration', alice.username, { durationMinutes: 30 }],
  ])('bound to the request: %s is refused (ApprovalMismatch) and the approval stays usable', async (_, as, body) => {
    const id = await approved();
    expect(await complete(id, as, body)).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_MISMATCH });
    expect(item(id)!.state.S).toBe('APPROVED');
    expect((await complete(id)).sessionId).toBeDefined();
  });

  it('an unknown approval: ApprovalNotFound', async () => {
    expect(await complete('0b0b0b0b-0000-4000-8000-000000000000')).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_NOT_FOUND });
  });

  it('the target rules are checked again at completion: a target now protected is refused, the approval stays unspent', async () => {
    const id = await approved();
    t.world.users.get(bob.username)!.groups.push(APPROVAL_TEST_ENV.approverGroup);
    expect(await complete(id)).toEqual(refused(BROKER_ERROR.TARGET_PROTECTED));
    expect(item(id)!.state.S).toBe('APPROVED');
  });

  it('a start that fails after the approval was spent needs a new approval (fail closed); the refusal names it', async () => {
    const id = await approved();
    t.world.faultFor = (command) => (command === 'CreateSchedule' ? 'throttle' : undefined);
    expect((await complete(id)).error).toBeDefined();
    expect(lastEvent()).toMatchObject({ event: AUDIT_EVENT.DENIED, approvalId: id, approver: { username: paula.username } });
    expect(item(id)!.state.S).toBe('USED');
    t.world.faultFor = undefined;
    expect(await complete(id)).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
  });
});

describe('pending', () => {
  it('an approver sees the pending requests of others, not their own, and their own requests apart', async () => {
    const mine = await request(quinn.username);
    const aliceRequest = await request(alice.username);
    const daveRequest = await request(dave.username, { target: carol.username });
    await reject(daveRequest.approval.requestId);
    const response = await broker(quinn.username, { action: 'pending' });
    expect(response.toDecide.map((r: any) => r.requestId)).toEqual([aliceRequest.approval.requestId]);
    expect(response.toDecide[0]).toMatchObject({ state: 'PENDING', requester: { username: alice.username }, target: { username: bob.username }, reason: REASON, durationMinutes: 15 });
    expect(response.mine.map((r: any) => [r.requestId, r.state])).toEqual([[mine.approval.requestId, 'PENDING']]);
    expect(response.truncated).toBe(false);
    expect(JSON.stringify(response)).not.toMatch(/eyJ/);
    expect(lastEvent()).toMatchObject({ event: AUDIT_EVENT.APPROVALS_LISTED, approvalCount: 2 });
  });

  it('a requester (admin, not approver) sees only their own requests, with their state as of now', async () => {
    const a = await request();
    t.world.now += 1000;
    const b = await request();
    await approve(b.approval.requestId);
    t.world.now += 11 * MINUTE;
    const c = await request();
    const response = await broker(alice.username, { action: 'pending' });
    expect(response.toDecide).toEqual([]);
    expect(response.mine.map((r: any) => [r.requestId, r.state])).toEqual([
      [a.approval.requestId, 'PENDING'],
      [b.approval.requestId, 'EXPIRED'],
      [c.approval.requestId, 'PENDING'],
    ]);
    t.world.now += 25 * MINUTE;
    const later = await broker(alice.username, { action: 'pending' });
    expect(later.mine.map((r: any) => r.state)).toEqual(['EXPIRED', 'EXPIRED', 'PENDING']);
  });

  it('someone in neither group is refused', async () => {
    expect(await broker(eve.username, { action: 'pending' })).toEqual(refused(BROKER_ERROR.FORBIDDEN));
  });
});

describe('approval off', () => {
  beforeEach(() => {
    delete process.env[ENV.APPROVER_GROUP];
  });

  it.each(['approve', 'reject', 'pending'])('%s is not offered (InvalidRequest)', async (action) => {
    expect(await broker(paula.username, { action, ...(action === 'pending' ? {} : { approvalId: '0b0b0b0b-0000-4000-8000-000000000000' }) }))
      .toEqual(refused(BROKER_ERROR.INVALID_REQUEST));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.UNSUPPORTED_ACTION });
  });

  it('a start naming an approval is malformed, and a start needs none', async () => {
    expect(await complete('0b0b0b0b-0000-4000-8000-000000000000')).toEqual(refused(BROKER_ERROR.INVALID_REQUEST));
    expect((await request()).sessionId).toBeDefined();
  });
});

describe('misconfigured approval refuses every start and approval action (fail closed)', () => {
  it.each([
    ['no state table', ENV.BROKER_STATE_TABLE, undefined],
    ['a timeout out of range', ENV.APPROVAL_TIMEOUT_SECONDS, '30'],
    ['a window out of range', ENV.APPROVAL_WINDOW_SECONDS, '7200'],
    ['target groups not a list', ENV.APPROVAL_TARGET_GROUPS, '"customers"'],
  ])('%s', async (_, name, value) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
    expect(await request()).toEqual(refused(BROKER_ERROR.INTERNAL_ERROR));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.MISCONFIGURED });
    expect(t.world.items.size).toBe(0);
    expect(t.world.stateItems.size).toBe(0);
    expect(await broker(paula.username, { action: 'pending' })).toEqual(refused(BROKER_ERROR.INTERNAL_ERROR));
  });

  it('ending and listing sessions do not depend on it', async () => {
    delete process.env[ENV.BROKER_STATE_TABLE];
    expect((await broker(alice.username, { action: 'list' })).sessions).toEqual([]);
    expect((await broker(alice.username, { action: 'end' })).ended).toEqual([]);
  });
});

describe('customChallenge: the same gate', () => {
  beforeEach(() => {
    process.env[ENV.STRATEGY] = STRATEGY.CUSTOM_CHALLENGE;
    process.env[ENV.CLIENT_ID] = '7kq2m1impersonation0dedic8';
  });

  it('a start answers with a pending request bound to the strategy, without signing the target in', async () => {
    const { approval } = await request();
    expect(item(approval.requestId)).toMatchObject({ strategy: { S: STRATEGY.CUSTOM_CHALLENGE }, durationMinutes: { N: '0' } });
    expect(t.world.journal.some((l) => l.includes('AdminInitiateAuth'))).toBe(false);
  });

  it('an approval of the groups strategy does not complete a customChallenge start (ApprovalMismatch)', async () => {
    process.env[ENV.STRATEGY] = STRATEGY.GROUPS;
    const id = await approved();
    process.env[ENV.STRATEGY] = STRATEGY.CUSTOM_CHALLENGE;
    expect(await complete(id)).toEqual(refused(BROKER_ERROR.APPROVAL_REFUSED));
    expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_MISMATCH });
  });

  it('an approved start spends the approval before the sign-in; a failed sign-in leaves it spent', async () => {
    const id = await approved();
    const response = await complete(id);
    // The fake world has no custom-auth sign-in: the start fails after the approval was spent.
    expect(response.error).toBeDefined();
    expect(item(id)!.state.S).toBe('USED');
    expect(lastEvent()).toMatchObject({ event: AUDIT_EVENT.DENIED, approvalId: id, approver: { username: paula.username } });
  });
});

describe('one audit event per broker request', () => {
  it('holds across a whole flow', async () => {
    const before = t.harness.invocations.length;
    const id = await approved();
    await complete(id);
    await broker(paula.username, { action: 'pending' });
    await approve(id);
    const invocations = t.harness.invocations.slice(before);
    for (const inv of invocations) expect(t.harness.eventsOf(inv)).toHaveLength(1);
  });
});
