import type { CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceEvent } from 'aws-lambda';
import { makeHandler } from '../../../lambda-src/end-all-sessions.lambda';
import { AUDIT_EVENT, DENIAL_REASON, END_CAUSE } from '../../../src/private/contract';
import { LEASE_MS, USERS, groupsTestFile, settled } from '../fixtures/groups';
import { lambdaContext } from '../fixtures/groups-harness';

/**
 * The ends that are not the admin's own request: the expiry schedule invoking EndSession,
 * the sweeper, and the custom resource that ends every session when the construct is deleted.
 */

const t = groupsTestFile();

const { alice, bob, dave } = USERS;
const sorted = (groups: readonly string[]) => [...groups].sort();
const own = sorted(alice.groups);

async function startFor(username: string, minutes = 15): Promise<{ sessionId: string; input: any }> {
  const response = await settled(t.harness.broker(username, { action: 'start', target: bob.username, reason: 'SUP-1', durationMinutes: minutes }));
  const schedule = [...t.world.schedules.values()].find((s) => JSON.parse(s.Target!.Input!).sessionId === response.sessionId)!;
  t.harness.events.length = 0;
  return { sessionId: response.sessionId, input: JSON.parse(schedule.Target!.Input!) };
}
const endSession = (input: unknown) => settled(t.harness.run('endSession', t.harness.handlers.endSession, input));
const sweep = () => settled(t.harness.sweep());

describe('EndSession (the expiry schedule)', () => {
  it('at expiry: removes the session\'s groups, deletes schedule and record, one ended event with cause expired', async () => {
    const { sessionId, input } = await startFor(alice.username);
    t.world.now += 15 * 60_000;
    expect(await endSession(input)).toEqual({ ended: true, sessionId, groupsRemoved: ['beta-testers', 'billing-viewers'] });
    expect(t.world.groupsOf(alice.username)).toEqual(own);
    expect(t.world.items.size).toBe(0);
    expect(t.world.schedules.size).toBe(0);
    expect(t.harness.events).toEqual([expect.objectContaining({
      event: AUDIT_EVENT.ENDED, source: 'end-session', cause: END_CAUSE.EXPIRED, sessionId, actor: expect.objectContaining({ username: alice.username }),
    })]);
  });

  it('invoked by an operator before the expiry: cause revoked', async () => {
    const { input } = await startFor(alice.username);
    await endSession(input);
    expect(t.harness.events[0].cause).toBe(END_CAUSE.REVOKED);
  });

  it.each([
    ['nothing', {}],
    ['a session id that is not a UUID', { sessionId: 'x', adminSub: '11111111-aaaa-4bbb-8ccc-000000000001' }],
    ['the old schedule Input (a whole session)', { kind: 'cdk-cognito-impersonation/groups-session', scheduleName: 'a.b' }],
  ])('refuses %s without reading anything, and without a retry', async (_case, input) => {
    const calls = t.world.calls;
    expect(await endSession(input)).toEqual({ ended: false });
    expect(t.world.calls).toBe(calls);
    expect(t.harness.events).toEqual([expect.objectContaining({ event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.INVALID_REQUEST })]);
  });

  it('a session that already ended: changes nothing, one alreadyEnded event', async () => {
    const { input } = await startFor(alice.username);
    await settled(t.harness.broker(alice.username, { action: 'end' }));
    t.harness.events.length = 0;
    expect(await endSession(input)).toEqual({ ended: false, sessionId: input.sessionId });
    expect(t.harness.events).toEqual([expect.objectContaining({ event: AUDIT_EVENT.ENDED, alreadyEnded: true })]);
  });

  it('can only end the session the table holds for that admin, whatever the event says', async () => {
    const { input } = await startFor(alice.username);
    await startFor(dave.username);
    await endSession({ sessionId: input.sessionId, adminSub: t.world.users.get(dave.username)!.sub });
    expect(t.world.items.size).toBe(2);
    expect(t.harness.events[0].alreadyEnded).toBe(true);
  });

  it('a failure: end_failed, throws (Lambda retries it), and the released record is ended by the retry', async () => {
    const { input } = await startFor(alice.username);
    t.world.now += 15 * 60_000;
    t.world.faultFor = (command) => (command === 'AdminRemoveUserFromGroup' ? 'throttle' : undefined);
    const run = t.harness.run('endSession', t.harness.handlers.endSession, input);
    await run.done;
    expect(run.invocation.threw).toBe(true);
    expect(t.harness.events).toEqual([expect.objectContaining({ event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.GROUP_CHANGE_FAILED })]);
    t.world.faultFor = undefined;
    expect((await endSession(input)).ended).toBe(true);
    expect(t.world.groupsOf(alice.username)).toEqual(own);
  });

  it('while another handler holds the session: end_failed SessionBusy and a retry, nothing changed', async () => {
    const { input } = await startFor(alice.username);
    t.world.items.get(input.adminSub)!.lease = { N: String(t.world.now + LEASE_MS) };
    const run = t.harness.run('endSession', t.harness.handlers.endSession, input);
    await run.done;
    expect(run.invocation.threw).toBe(true);
    expect(t.harness.events[0].failureReason).toBe(DENIAL_REASON.SESSION_BUSY);
    expect(t.world.groupsOf(alice.username)).toContain('beta-testers');
  });

  it('an admin whose account was deleted and its username given to someone else: that person keeps their groups', async () => {
    const { input } = await startFor(alice.username);
    t.world.users.set(alice.username, { sub: '77777777-aaaa-4bbb-8ccc-000000000007', enabled: true, groups: ['beta-testers'] });
    t.world.now += 15 * 60_000;
    expect(await endSession(input)).toMatchObject({ ended: true, groupsRemoved: [] });
    expect(t.world.groupsOf(alice.username)).toEqual(['beta-testers']);
    expect(t.harness.events[0]).toMatchObject({ event: AUDIT_EVENT.ENDED, adminGone: true });
  });
});

describe('the sweeper', () => {
  it('ends sessions whose expiry passed and leaves running ones alone, one event per session', async () => {
    const short = await startFor(alice.username, 5);
    await startFor(dave.username, 30);
    t.world.now += 6 * 60_000;
    expect(await sweep()).toEqual({ ended: 1, failed: 0 });
    expect(t.world.groupsOf(alice.username)).toEqual(own);
    expect(t.world.items.size).toBe(1);
    expect(t.harness.events).toEqual([expect.objectContaining({ event: AUDIT_EVENT.ENDED, source: 'sweeper', cause: END_CAUSE.EXPIRED, sessionId: short.sessionId })]);
  });

  it('recovers a start that died after adding groups, once its lease has passed (cause recovered)', async () => {
    let adds = 0;
    t.world.faultFor = (command) => (command === 'AdminAddUserToGroup' && ++adds === 1 ? 'killAfter' : undefined);
    t.harness.broker(alice.username, { action: 'start', target: bob.username, reason: 'SUP-1' });
    await new Promise((resolve) => setImmediate(resolve));
    t.world.faultFor = undefined;
    expect(t.world.groupsOf(alice.username)).toContain('beta-testers');
    expect(await sweep()).toEqual({ ended: 0, failed: 0 });
    expect(t.world.groupsOf(alice.username)).toContain('beta-testers');
    t.world.now += LEASE_MS + 1;
    expect(await sweep()).toEqual({ ended: 1, failed: 0 });
    expect(t.world.groupsOf(alice.username)).toEqual(own);
    expect(t.world.schedules.size).toBe(0);
    expect(t.harness.events.filter((e) => e.source === 'sweeper')).toEqual([expect.objectContaining({ cause: END_CAUSE.RECOVERED })]);
  });

  it('fails (so that it is alarmed) when a due session cannot be ended, and ends it on the next run', async () => {
    await startFor(alice.username, 5);
    t.world.now += 6 * 60_000;
    t.world.faultFor = (command) => (command === 'AdminRemoveUserFromGroup' ? 'throttle' : undefined);
    const run = t.harness.sweep();
    await run.done;
    expect(run.invocation.threw).toBe(true);
    expect(t.harness.events.map((e) => e.event)).toEqual([AUDIT_EVENT.END_FAILED]);
    t.world.faultFor = undefined;
    expect(await sweep()).toEqual({ ended: 1, failed: 0 });
  });

  it('nothing to do: no event, no write', async () => {
    expect(await sweep()).toEqual({ ended: 0, failed: 0 });
    expect(t.harness.events).toEqual([]);
  });
});

describe('ending every session when the construct is deleted', () => {
  const responses: Array<Record<string, any>> = [];
  const sleeps: number[] = [];
  const handler = makeHandler(async (_url, body) => {
    responses.push(JSON.parse(body));
  }, async (ms) => {
    sleeps.push(ms);
    t.world.now += ms;
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
    t.world.items.get(input.adminSub)!.lease = { N: String(t.world.now + 30_000) };
    await handler(event('Delete'), lambdaContext('cr-1'));
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'end-all-sessions' })]);
    expect(sleeps).toEqual([30_000]);
    expect(t.world.items.size).toBe(0);
    expect(t.world.schedules.size).toBe(0);
    expect(t.world.groupsOf(alice.username)).toEqual(own);
    expect(t.world.groupsOf(dave.username)).toEqual(sorted(dave.groups));
    expect(t.harness.events.map((e) => e.cause)).toEqual([END_CAUSE.DELETED, END_CAUSE.DELETED]);
  });

  it('fails the deletion when a session cannot be ended, rather than leave its groups behind', async () => {
    await startFor(alice.username);
    t.world.faultFor = (command) => (command === 'AdminRemoveUserFromGroup' ? 'throttle' : undefined);
    await handler(event('Delete'), lambdaContext('cr-2'));
    expect(responses).toEqual([expect.objectContaining({ Status: 'FAILED' })]);
    expect(t.world.items.size).toBe(1);
  });

  it.each(['Create', 'Update'] as const)('on %s does nothing', async (requestType) => {
    await startFor(alice.username);
    const calls = t.world.calls;
    await handler(event(requestType), lambdaContext('cr-3'));
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'end-all-sessions' })]);
    expect(t.world.calls).toBe(calls);
  });
});
