import type { ChallengeResponseType } from '@aws-sdk/client-cognito-identity-provider';
import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON, ENV } from '../../../src/private/contract';
import { CHALLENGES, authEvent } from '../fixtures/auth-events';
import { USERS, groupsTestFile, settled } from '../fixtures/groups';

/**
 * requireAdminMfa (issue 14, item 2) with the groups broker: only `start` asks the pool
 * whether the admin's sign-in passed MFA; `list` and `end` never do, and always work.
 */

const t = groupsTestFile();
const { alice, bob } = USERS;

beforeEach(() => {
  process.env[ENV.REQUIRE_ADMIN_MFA] = 'true';
});
afterEach(() => {
  delete process.env[ENV.REQUIRE_ADMIN_MFA];
});

/** The admin's sign-in, `secondsAgo` before the world's now (its tokens are issued at now). */
const signIn = (secondsAgo: number, challenges: readonly ChallengeResponseType[]) =>
  authEvent(Math.floor(t.world.now / 1000) - secondsAgo, { ChallengeResponses: [...challenges] });
const broker = (body: Record<string, unknown>) => settled(t.harness.broker(alice.username, body));
const asked = () => t.world.journal.filter((line) => / AdminListUserAuthEvents /.test(line));

test('a start after an MFA sign-in adds the groups; later list and end work without asking the pool again', async () => {
  t.world.authEvents.set(alice.username, [signIn(30, CHALLENGES.PASSWORD_AND_MFA)]);
  const started = await broker({ action: 'start', target: bob.username, reason: 'SUP-14 MFA' });
  expect(started.error).toBeUndefined();
  expect(asked()).toEqual([expect.stringContaining(`AdminListUserAuthEvents ${alice.username}`)]);

  // Whatever the pool would say now (a later sign-in without MFA), listing and ending are not refused.
  t.world.authEvents.set(alice.username, [signIn(5, CHALLENGES.PASSWORD)]);
  t.world.now += 60_000;
  const listed = await broker({ action: 'list' });
  expect(listed.sessions.map((s: any) => s.sessionId)).toEqual([started.sessionId]);
  const ended = await broker({ action: 'end' });
  expect(ended.error).toBeUndefined();
  expect(ended.ended).toHaveLength(1);
  expect(t.world.groupsOf(alice.username)).toEqual([...alice.groups].sort());
  expect(asked()).toHaveLength(1);
});

test('a start after a password-only sign-in is refused: no session, no group, no schedule', async () => {
  t.world.authEvents.set(alice.username, [signIn(30, CHALLENGES.PASSWORD)]);
  const response = await broker({ action: 'start', target: bob.username, reason: 'SUP-14 MFA' });
  expect(response).toEqual({ error: { code: BROKER_ERROR.SIGN_IN_AGAIN, message: expect.stringMatching(/Sign in again with MFA\.$/) } });
  expect(t.world.groupsOf(alice.username)).toEqual([...alice.groups].sort());
  expect(t.world.items.size).toBe(0);
  expect(t.world.schedules.size).toBe(0);
  expect(t.harness.events).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.MFA_REQUIRED, action: 'start' })]);
});

test.each(['list', 'end'])('%s with no session and a pool that reports nothing: answered, the pool never asked', async (action) => {
  const response = await broker({ action });
  expect(response.error).toBeUndefined();
  expect(asked()).toEqual([]);
});
