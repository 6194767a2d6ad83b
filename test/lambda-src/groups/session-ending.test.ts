import type { CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceEvent } from 'aws-lambda';
import { makeHandler } from '../../../lambda-src/end-all-sessions.lambda';
import { AUDIT_EVENT, DENIAL_REASON, END_CAUSE } from '../../../src/private/contract';
import { LEASE_MS, USERS, groupsWorld, setGroupsEnv, settled } from '../fixtures/groups';
import { lambdaContext, type Harness } from '../fixtures/groups-harness';
import type { FakeWorld } from '../fixtures/groups-world';

/**
 * The ends that are not the admin's own request: the expiry schedule invoking EndSession,
 * the sweeper, and the custom resource that ends every session when the construct is deleted.
 */

let restoreEnv: () => void;
let world: FakeWorld;
let harness: Harness;

beforeAll(() => {
  restoreEnv = setGroupsEnv();
});
afterAll(() => restoreEnv());
beforeEach(() => {
  ({ world, harness } = groupsWorld());
});
afterEach(() => jest.restoreAllMocks());

const { alice, bob, dave } = USERS;
const sorted = (groups: readonly string[]) => [...groups].sort();
const own = sorted(alice.groups);

async function startFor(username: string, minutes = 15): Promise<{ sessionId: string; input: any }> {
  const response = await settled(harness.broker(username, { action: 'start', target: bob.username, reason: 'SUP-1', durationMinutes: minutes }));
  const schedule = [...world.schedules.values()].find((s) => JSON.parse(s.Target!.Input!).sessionId === response.sessionId)!;
  harness.events.length = 0;
  return { sessionId: response.sessionId, input: JSON.parse(schedule.Target!.Input!) };
}
const endSession = (input: unknown) => settled(harness.run('endSession', harness.handlers.endSession, input));
const sweep = () => settled(harness.sweep());

describe('EndSession (the expiry schedule)', () => {
  it('at expiry: removes the session\'s groups, deletes schedule and record, one ended event with cause expired', async () => {
    const { sessionId, input } = await startFor(alice.username);
    world.now += 15 * 60_000;
    expect(await endSession(input)).toEqual({ ended: true, sessionId, groupsRemoved: ['beta-testers', 'billing-viewers'] });
    expect(world.groupsOf(alice.username)).toEqual(own);
    expect(world.items.size).toBe(0);
    expect(world.schedules.size).toBe(0);
    expect(harness.events).toEqual([expect.objectContaining({
      event: AUDIT_EVENT.ENDED, source: 'end-session', cause: END_CAUSE.EXPIRED, sessionId, actor: expect.objectContaining({ username: alice.username }),
    })]);
  });

  it('invoked by an operator before the expiry: cause revoked', async () => {
    const { input } = await startFor(alice.username);
    await endSession(input);
    expect(harness.events[0].cause).toBe(END_CAUSE.REVOKED);
  });

  it.each([
    ['nothing', {}],
    ['a session id that is not a UUID', { sessionId: 'x', adminSub: '11111111-aaaa-4bbb-8ccc-000000000001' }],
    ['the old schedule Input (a whole session)', { kind: 'cdk-cognito-impersonation/groups-session', scheduleName: 'a.b' }],
  ])('refuses %s without reading anything, and without a retry', async (_case, input) => {
    const calls = world.calls;
    expect(await endSession(input)).toEqual({ ended: false });
    expect(world.calls).toBe(calls);
    expect(harness.events).toEqual([expect.objectContaining({ event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.INVALID_REQUEST })]);
  });

  it('a session that already ended: changes nothing, one alreadyEnded event', async () => {
    const { input } = await startFor(alice.username);
    await settled(harness.broker(alice.username, { action: 'end' }));
    harness.events.length = 0;
    expect(await endSession(input)).toEqual({ ended: false, sessionId: input.sessionId });
    expect(harness.events).toEqual([expect.objectContaining({ event: AUDIT_EVENT.ENDED, alreadyEnded: true })]);
  });

  it('can only end the session the table holds for that admin, whatever the event says', async () => {
    const { input } = await startFor(alice.username);
    await startFor(dave.username);
    await endSession({ sessionId: input.sessionId, adminSub: world.users.get(dave.username)!.sub });
    expect(world.items.size).toBe(2);
    expect(harness.events[0].alreadyEnded).toBe(true);
  });

  it('a failure: end_failed, throws (Lambda retries it), and the released record is ended by the retry', async () => {
    const { input } = await startFor(alice.username);
    world.now += 15 * 60_000;
    world.faultFor = (command) => (command === 'AdminRemoveUserFromGroup' ? 'throttle' : undefined);
    const run = harness.run('endSession', harness.handlers.endSession, input);
    await run.done;
    expect(run.invocation.threw).toBe(true);
    expect(harness.events).toEqual([expect.objectContaining({ event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.GROUP_CHANGE_FAILED })]);
    world.faultFor = undefined;
    expect((await endSession(input)).ended).toBe(true);
    expect(world.groupsOf(alice.username)).toEqual(own);
  });

  it('while another handler holds the session: end_failed SessionBusy and a retry, nothing changed', async () => {
    const { input } = await startFor(alice.username);
    world.items.get(input.adminSub)!.lease = { N: String(world.now + LEASE_MS) };
    const run = harness.run('endSession', harness.handlers.endSession, input);
    await run.done;
    expect(run.invocation.threw).toBe(true);
    expect(harness.events[0].failureReason).toBe(DENIAL_REASON.SESSION_BUSY);
    expect(world.groupsOf(alice.username)).toContain('beta-testers');
  });

  it('an admin whose account was deleted and its username given to someone else: that person keeps their groups', async () => {
    const { input } = await startFor(alice.username);
    world.users.set(alice.username, { sub: '77777777-aaaa-4bbb-8ccc-000000000007', enabled: true, groups: ['beta-testers'] });
    world.now += 15 * 60_000;
    expect(await endSession(input)).toMatchObject({ ended: true, groupsRemoved: [] });
    expect(world.groupsOf(alice.username)).toEqual(['beta-testers']);
    expect(harness.events[0]).toMatchObject({ event: AUDIT_EVENT.ENDED, adminGone: true });
  });
});

describe('the sweeper', () => {
  it('ends sessions whose expiry passed and leaves running ones alone, one event per session', async () => {
    const short = await startFor(alice.username, 5);
    await startFor(dave.username, 30);
    world.now += 6 * 60_000;
    expect(await sweep()).toEqual({ ended: 1, failed: 0 });
    expect(world.groupsOf(alice.username)).toEqual(own);
    expect(world.items.size).toBe(1);
    expect(harness.events).toEqual([expect.objectContaining({ event: AUDIT_EVENT.ENDED, source: 'sweeper', cause: END_CAUSE.EXPIRED, sessionId: short.sessionId })]);
  });

  it('recovers a start that died after adding groups, once its lease has passed (cause recovered)', async () => {
    let adds = 0;
    world.faultFor = (command) => (command === 'AdminAddUserToGroup' && ++adds === 1 ? 'killAfter' : undefined);
    harness.broker(alice.username, { action: 'start', target: bob.username, reason: 'SUP-1' });
    await new Promise((resolve) => setImmediate(resolve));
    world.faultFor = undefined;
    expect(world.groupsOf(alice.username)).toContain('beta-testers');
    expect(await sweep()).toEqual({ ended: 0, failed: 0 });
    expect(world.groupsOf(alice.username)).toContain('beta-testers');
    world.now += LEASE_MS + 1;
    expect(await sweep()).toEqual({ ended: 1, failed: 0 });
    expect(world.groupsOf(alice.username)).toEqual(own);
    expect(world.schedules.size).toBe(0);
    expect(harness.events.filter((e) => e.source === 'sweeper')).toEqual([expect.objectContaining({ cause: END_CAUSE.RECOVERED })]);
  });

  it('fails (so that it is alarmed) when a due session cannot be ended, and ends it on the next run', async () => {
    await startFor(alice.username, 5);
    world.now += 6 * 60_000;
    world.faultFor = (command) => (command === 'AdminRemoveUserFromGroup' ? 'throttle' : undefined);
    const run = harness.sweep();
    await run.done;
    expect(run.invocation.threw).toBe(true);
    expect(harness.events.map((e) => e.event)).toEqual([AUDIT_EVENT.END_FAILED]);
    world.faultFor = undefined;
    expect(await sweep()).toEqual({ ended: 1, failed: 0 });
  });

  it('nothing to do: no event, no write', async () => {
    expect(await sweep()).toEqual({ ended: 0, failed: 0 });
    expect(harness.events).toEqual([]);
  });
});

describe('ending every session when the construct is deleted', () => {
  const responses: Array<Record<string, any>> = [];
  const sleeps: number[] = [];
  const handler = makeHandler(async (_url, body) => {
    responses.push(JSON.parse(body));
  }, async (ms) => {
    sleeps.push(ms);
    world.now += ms;
  });
  const event = (requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent => ({
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:EndAll',
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/TestStack/1',
    RequestId: 'r-1',
    LogicalResourceId: 'EndAllSessionsOnDelete',
    ResourceType: 'Custom::ImpersonationEndAllSessions',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:EndAll' },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'end-all-sessions' }),
  } as CloudFormationCustomResourceDeleteEvent);

  beforeEach(() => {
    responses.length = 0;
    sleeps.length = 0;
  });

  it('on delete ends every session (cause deleted), waiting for one that another handler holds', async () => {
    await startFor(alice.username);
    const { input } = await startFor(dave.username);
    world.items.get(input.adminSub)!.lease = { N: String(world.now + 30_000) };
    await handler(event('Delete'), lambdaContext('cr-1'));
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'end-all-sessions' })]);
    expect(sleeps).toEqual([30_000]);
    expect(world.items.size).toBe(0);
    expect(world.schedules.size).toBe(0);
    expect(world.groupsOf(alice.username)).toEqual(own);
    expect(world.groupsOf(dave.username)).toEqual(sorted(dave.groups));
    expect(harness.events.map((e) => e.cause)).toEqual([END_CAUSE.DELETED, END_CAUSE.DELETED]);
  });

  it('fails the deletion when a session cannot be ended, rather than leave its groups behind', async () => {
    await startFor(alice.username);
    world.faultFor = (command) => (command === 'AdminRemoveUserFromGroup' ? 'throttle' : undefined);
    await handler(event('Delete'), lambdaContext('cr-2'));
    expect(responses).toEqual([expect.objectContaining({ Status: 'FAILED' })]);
    expect(world.items.size).toBe(1);
  });

  it.each(['Create', 'Update'] as const)('on %s does nothing', async (requestType) => {
    await startFor(alice.username);
    const calls = world.calls;
    await handler(event(requestType), lambdaContext('cr-3'));
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'end-all-sessions' })]);
    expect(world.calls).toBe(calls);
  });
});
