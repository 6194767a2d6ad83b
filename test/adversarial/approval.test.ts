/**
 * Issue 14, items 1 and 5: four-eyes approval attacked through the BUNDLED broker with real
 * signed tokens (the groups strategy's world: Cognito, Scheduler, the session and state tables).
 * Self-approval, approval by a non-member or with a forged token, reuse, an approval used for
 * another target, reason or requester, and an admin who borrowed groups trying to become an
 * approver: each is refused, changes nothing, and is audited once.
 */
import { brokerClientStubs, groupsBrokerWorld } from './kit/broker';
import { AuditLog, freshContainer, type BundledHandler } from './kit/bundles';
import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON } from '../../src/private/contract';
import { APPROVAL_TEST_ENV, APPROVERS, withApproval } from '../lambda-src/fixtures/approval';
import { lambdaContext } from '../lambda-src/fixtures/common';
import { GROUPS_TEST_ENV, USERS, setGroupsEnv } from '../lambda-src/fixtures/groups';
import { TokenIssuer, type FakeWorld } from '../lambda-src/fixtures/groups-world';

const stubs = brokerClientStubs();
const { alice, bob, carol, dave, eve } = USERS;
const { paula, quinn } = APPROVERS;
const REASON = 'SUP-14 four eyes';

let audit: AuditLog;
let world: FakeWorld;
let broker: BundledHandler;
let restoreEnv: () => void = () => undefined;

beforeEach(() => {
  audit = new AuditLog();
  const restoreGroups = setGroupsEnv();
  world = groupsBrokerWorld(stubs);
  const restoreApproval = withApproval(world, { adminGroup: GROUPS_TEST_ENV.adminGroup });
  restoreEnv = () => {
    restoreApproval();
    restoreGroups();
  };
  broker = freshContainer('broker');
});

afterEach(() => {
  restoreEnv();
  jest.restoreAllMocks();
});

const as = (username: string, body: Record<string, unknown>, token = world.accessToken(username)) =>
  broker({ accessToken: token, ...body }, lambdaContext());
const request = (username: string = alice.username, body: Record<string, unknown> = {}) =>
  as(username, { action: 'start', target: bob.username, reason: REASON, ...body });
const state = (id: string) => world.stateItems.get(`approval#${id}`)?.state.S;
const lastEvent = () => audit.events().at(-1)!;
const grants = () => audit.events().filter((e) => e.event === AUDIT_EVENT.GRANTED);

async function approvedRequest(requester: string = alice.username): Promise<string> {
  const { approval } = await request(requester);
  expect((await as(paula.username, { action: 'approve', approvalId: approval.requestId })).error).toBeUndefined();
  return approval.requestId;
}

test('the happy path, through the bundle: request, approve, use once', async () => {
  const id = await approvedRequest();
  const started = await request(alice.username, { approvalId: id });
  expect(started.groupsAdded).toEqual(['beta-testers', 'billing-viewers']);
  expect(lastEvent()).toMatchObject({ event: AUDIT_EVENT.GRANTED, approvalId: id, approver: { username: paula.username } });
});

test('self-approval: the requester, even when an approver, cannot approve or reject their own request', async () => {
  const { approval } = await request(quinn.username);
  for (const action of ['approve', 'reject']) {
    const response = await as(quinn.username, { action, approvalId: approval.requestId });
    expect(response).toEqual({ error: { code: BROKER_ERROR.FORBIDDEN, message: 'You cannot approve or reject your own request.' } });
    expect(lastEvent()).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.SELF_APPROVAL, actor: { username: quinn.username } });
  }
  expect(state(approval.requestId)).toBe('PENDING');
  expect((await request(quinn.username, { approvalId: approval.requestId })).error.code).toBe(BROKER_ERROR.APPROVAL_PENDING);
  expect(grants()).toEqual([]);
});

test.each([
  ['an admin who is not an approver', dave.username],
  ['a customer', eve.username],
])('approval by a non-member (%s) is refused (NotApprover)', async (_who, username) => {
  const { approval } = await request();
  expect((await as(username, { action: 'approve', approvalId: approval.requestId })).error.code).toBe(BROKER_ERROR.FORBIDDEN);
  expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.NOT_APPROVER });
  expect(state(approval.requestId)).toBe('PENDING');
});

test('an approver\'s token signed by another key, or naming another sub, decides nothing', async () => {
  const { approval } = await request();
  const paulaIdentity = { username: paula.username, sub: world.users.get(paula.username)!.sub };
  const forged = new TokenIssuer(world.tokens.issuer).accessToken(paulaIdentity, Math.floor(world.now / 1000));
  expect((await as(paula.username, { action: 'approve', approvalId: approval.requestId }, forged)).error.code).toBe(BROKER_ERROR.UNAUTHORIZED);
  expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.UNAUTHENTICATED });
  const otherSub = world.accessToken(paula.username, '99999999-aaaa-4bbb-8ccc-000000000009');
  expect((await as(paula.username, { action: 'approve', approvalId: approval.requestId }, otherSub)).error.code).toBe(BROKER_ERROR.UNAUTHORIZED);
  expect(state(approval.requestId)).toBe('PENDING');
});

test('reuse: an approval grants one impersonation', async () => {
  const id = await approvedRequest();
  expect((await request(alice.username, { approvalId: id })).error).toBeUndefined();
  expect((await as(alice.username, { action: 'end' })).error).toBeUndefined();
  world.now += 1000; // the end signed alice out: a new sign-in
  expect((await request(alice.username, { approvalId: id })).error.code).toBe(BROKER_ERROR.APPROVAL_REFUSED);
  expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_USED });
  expect(grants()).toHaveLength(1);
});

test.each([
  ['another target', alice.username, { target: carol.username }],
  ['another reason', alice.username, { reason: 'SUP-99 something else' }],
  ['another requester', dave.username, {}],
  ['another duration', alice.username, { durationMinutes: 60 }],
])('an approval used for %s is refused (ApprovalMismatch), and stays its requester\'s', async (_what, username, body) => {
  const id = await approvedRequest();
  expect((await request(username, { approvalId: id, ...body })).error.code).toBe(BROKER_ERROR.APPROVAL_REFUSED);
  expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.APPROVAL_MISMATCH });
  expect(state(id)).toBe('APPROVED');
  expect(grants()).toEqual([]);
});

test('an admin who borrowed groups cannot gain the approver group, nor impersonate an approver', async () => {
  // A customer who is also an approver: impersonating them (and so borrowing the group) is refused.
  world.users.get(carol.username)!.groups.push(APPROVAL_TEST_ENV.approverGroup);
  const toApprover = await request(alice.username, { target: carol.username });
  expect(toApprover.error.code).toBe(BROKER_ERROR.TARGET_PROTECTED);
  expect(world.stateItems.size).toBe(0);
  expect((await request(alice.username, { target: paula.username })).error.code).toBe(BROKER_ERROR.TARGET_PROTECTED);

  // With bob's groups borrowed, alice is still no approver: her own next request stays hers to wait for.
  const id = await approvedRequest();
  expect((await request(alice.username, { approvalId: id })).error).toBeUndefined();
  expect(world.groupsOf(alice.username)).not.toContain(APPROVAL_TEST_ENV.approverGroup);
  world.now += 1000;
  const next = await request(alice.username, { target: carol.username, reason: 'SUP-15' });
  expect(next.error.code).toBe(BROKER_ERROR.TARGET_PROTECTED);
  const other = await request(alice.username, { target: eve.username, reason: 'SUP-16' });
  expect((await as(alice.username, { action: 'approve', approvalId: other.approval.requestId })).error.code).toBe(BROKER_ERROR.FORBIDDEN);
  expect(lastEvent()).toMatchObject({ denialReason: DENIAL_REASON.NOT_APPROVER });
});

test('nothing secret in the log: no token of anyone appears in the audit trail', async () => {
  const token = world.accessToken(alice.username);
  const { approval } = await as(alice.username, { action: 'start', target: bob.username, reason: REASON }, token);
  const approverToken = world.accessToken(paula.username);
  await as(paula.username, { action: 'approve', approvalId: approval.requestId }, approverToken);
  await as(paula.username, { action: 'pending' }, approverToken);
  for (const t of [token, approverToken]) expect(audit.text()).not.toContain(t.split('.')[2]);
});
