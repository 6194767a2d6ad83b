/**
 * Issue 14, item 2: step-up through the BUNDLED broker with real signed tokens.
 * maxAdminAuthAge: a `start` needs a sign-in (`auth_time`) at most that old; a token refreshed
 * from an old sign-in (new iat, old auth_time) does not pass. requireAdminMfa: a `start` needs
 * the token's sign-in to have passed MFA, as the pool's threat protection logged it. Ending and
 * listing are never refused for either.
 */
import { brokerClientStubs, customChallengeBroker, groupsBrokerWorld } from './kit/broker';
import { AuditLog, freshContainer, withEnv, type BundledHandler } from './kit/bundles';
import { FakeCognito } from './kit/fake-cognito';
import { PoolSigningKey } from './kit/tokens';
import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON, ENV } from '../../src/private/contract';
import { CHALLENGES, authEvent } from '../lambda-src/fixtures/auth-events';
import { lambdaContext } from '../lambda-src/fixtures/common';
import { USERS, setGroupsEnv } from '../lambda-src/fixtures/groups';
import { FakeWorld } from '../lambda-src/fixtures/groups-world';

const ADMIN_GROUP = 'support-impersonators';
const POOL_KEY = new PoolSigningKey();
const MAX_AGE_SECONDS = 900;
const stubs = brokerClientStubs();

let audit: AuditLog;
let restoreEnv: () => void = () => undefined;

beforeEach(() => {
  audit = new AuditLog();
});

afterEach(() => {
  restoreEnv();
  jest.restoreAllMocks();
});

describe('customChallenge', () => {
  let pool: FakeCognito;
  let broker: BundledHandler;
  const now = () => Math.floor(Date.now() / 1000);

  function setUp(maxAge: string | undefined): void {
    ({ pool, broker, restoreEnv } = customChallengeBroker(stubs, POOL_KEY, ADMIN_GROUP, { extra: { [ENV.MAX_ADMIN_AUTH_AGE_SECONDS]: maxAge } }));
  }

  /** alice's token from a sign-in `ageSeconds` ago, issued (or refreshed) a minute ago. */
  const signedInAgo = (ageSeconds: number, username = 'alice') => pool.signIn(username, { auth_time: now() - ageSeconds, iat: now() - 60 });
  const start = (accessToken: string) => broker({ action: 'start', accessToken, target: 'bob', reason: 'SUP-14 step-up' }, lambdaContext());

  function expectSignInAgain(response: Record<string, any>): void {
    expect(response).toEqual({ error: { code: BROKER_ERROR.SIGN_IN_AGAIN, message: expect.stringMatching(/Sign in again\.$/) } });
    expect(pool.calls).not.toContain('AdminInitiateAuth');
    expect(audit.events()).toEqual([expect.objectContaining({
      event: AUDIT_EVENT.DENIED,
      denialReason: DENIAL_REASON.SIGN_IN_TOO_OLD,
      actor: { sub: pool.users.get('alice')!.sub, username: 'alice' },
    })]);
  }

  test('without the option, a sign-in of hours ago still starts (opt-in)', async () => {
    setUp(undefined);
    expect((await start(signedInAgo(5 * 3600))).error).toBeUndefined();
    expect(pool.calls).toContain('AdminInitiateAuth');
  });

  test('a sign-in within the limit starts', async () => {
    setUp(String(MAX_AGE_SECONDS));
    expect((await start(signedInAgo(MAX_AGE_SECONDS - 30))).error).toBeUndefined();
    expect(audit.events()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.GRANTED })]);
  });

  test('a token refreshed a minute ago from a sign-in older than the limit is refused: sign in again', async () => {
    setUp(String(MAX_AGE_SECONDS));
    expectSignInAgain(await start(signedInAgo(MAX_AGE_SECONDS + 30)));
  });

  test.each([
    ['no auth_time', undefined],
    ['a string auth_time', String(Math.floor(Date.now() / 1000))],
  ])('a token with %s is refused (fail closed)', async (_name, authTime) => {
    setUp(String(MAX_AGE_SECONDS));
    expectSignInAgain(await start(pool.signIn('alice', { auth_time: authTime })));
  });

  test('the admin is authenticated first: a non-admin with an old sign-in learns only that they are not an admin', async () => {
    setUp(String(MAX_AGE_SECONDS));
    const response = await start(signedInAgo(MAX_AGE_SECONDS + 30, 'bob'));
    expect(response.error.code).toBe(BROKER_ERROR.FORBIDDEN);
    expect(audit.events()).toEqual([expect.objectContaining({ denialReason: DENIAL_REASON.NOT_ADMIN })]);
  });

  test.each(['abc', '0', '30', '86401', '900.5', ''])('a misconfigured limit (%j) refuses every start', async (value) => {
    setUp(value);
    const response = await start(signedInAgo(10));
    expect(response.error.code).toBe(BROKER_ERROR.INTERNAL_ERROR);
    expect(pool.calls).toEqual([]);
    expect(audit.events()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.MISCONFIGURED })]);
  });
});

describe('groups: only start needs a recent sign-in', () => {
  let world: FakeWorld;
  let broker: BundledHandler;
  const alice = USERS.alice.username;

  beforeEach(() => {
    const restoreGroups = setGroupsEnv();
    const restoreLimit = withEnv({ [ENV.MAX_ADMIN_AUTH_AGE_SECONDS]: String(MAX_AGE_SECONDS) });
    restoreEnv = () => {
      restoreLimit();
      restoreGroups();
    };
    world = groupsBrokerWorld(stubs);
    broker = freshContainer('broker');
  });

  test('start within the limit; later, with the same sign-in, a new start is refused but end and list work', async () => {
    const token = world.accessToken(alice);
    world.now += 60_000;
    const started = await broker({ action: 'start', accessToken: token, target: USERS.bob.username, reason: 'SUP-14' }, lambdaContext());
    expect(started.error).toBeUndefined();

    // 20 minutes after the sign-in, the token (valid for an hour) no longer starts anything.
    world.now += 19 * 60_000;
    const again = await broker({ action: 'start', accessToken: token, target: USERS.carol.username, reason: 'SUP-14' }, lambdaContext());
    expect(again).toEqual({ error: { code: BROKER_ERROR.SIGN_IN_AGAIN, message: expect.any(String) } });
    expect(audit.events().at(-1)).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.SIGN_IN_TOO_OLD });
    // The refusal did not supersede the open session: bob's session is still the one listed.
    const listed = await broker({ action: 'list', accessToken: token }, lambdaContext());
    expect(listed.sessions.map((s: any) => s.target.username)).toEqual([USERS.bob.username]);
    const ended = await broker({ action: 'end', accessToken: token }, lambdaContext());
    expect(ended.error).toBeUndefined();
    expect(ended.ended).toHaveLength(1);
    expect(world.groupsOf(alice)).toEqual([...USERS.alice.groups].sort());
  });
});

describe('customChallenge: requireAdminMfa', () => {
  let pool: FakeCognito;
  let broker: BundledHandler;
  const now = () => Math.floor(Date.now() / 1000);

  function setUp(options: { threatProtection: boolean; requireAdminMfa?: false }): void {
    const flag = options.requireAdminMfa === false ? undefined : 'true';
    ({ pool, broker, restoreEnv } = customChallengeBroker(stubs, POOL_KEY, ADMIN_GROUP, {
      extra: { [ENV.REQUIRE_ADMIN_MFA]: flag },
      users: { alice: [ADMIN_GROUP], carol: [ADMIN_GROUP], bob: ['customers'] },
      configure: (p) => { p.threatProtection = options.threatProtection; },
    }));
  }

  /** `username` signs in `secondsAgo` (tokens issued then), with or without MFA. */
  const signIn = (secondsAgo: number, mfa: boolean, username = 'alice') =>
    pool.signIn(username, { auth_time: now() - secondsAgo, iat: now() - secondsAgo }, { mfa });
  const start = (accessToken: string) => broker({ action: 'start', accessToken, target: 'bob', reason: 'SUP-14 step-up MFA' }, lambdaContext());

  function expectRefused(response: Record<string, any>, denialReason: string, code: string): void {
    expect(response).toEqual({ error: { code, message: expect.any(String) } });
    expect(pool.calls).not.toContain('AdminInitiateAuth');
    expect(audit.events()).toEqual([expect.objectContaining({
      event: AUDIT_EVENT.DENIED,
      denialReason,
      actor: { sub: pool.users.get('alice')!.sub, username: 'alice' },
    })]);
  }

  test('a sign-in a moment ago, without MFA, cannot start: sign in again with MFA', async () => {
    setUp({ threatProtection: true });
    const response = await start(signIn(30, false));
    expectRefused(response, DENIAL_REASON.MFA_REQUIRED, BROKER_ERROR.SIGN_IN_AGAIN);
    expect(response.error.message).toMatch(/Sign in again with MFA\.$/);
    expect(pool.calls).toContain('AdminListUserAuthEvents');
  });

  test('the same admin, signed in again with MFA, starts', async () => {
    setUp({ threatProtection: true });
    const response = await start(signIn(30, true));
    expect(response.error).toBeUndefined();
    expect(response.target).toEqual({ username: 'bob', sub: pool.users.get('bob')!.sub });
    expect(pool.calls).toContain('AdminInitiateAuth');
    expect(audit.events().filter((e) => e.event === AUDIT_EVENT.GRANTED)).toHaveLength(1);
  });

  test('a token from a sign-in without MFA stays refused after a later sign-in with MFA: the check is of the token\'s own sign-in', async () => {
    setUp({ threatProtection: true });
    const passwordOnly = signIn(300, false);
    signIn(10, true);
    expectRefused(await start(passwordOnly), DENIAL_REASON.MFA_REQUIRED, BROKER_ERROR.SIGN_IN_AGAIN);
  });

  test('another admin\'s MFA sign-in does not count for alice', async () => {
    setUp({ threatProtection: true });
    const alices = signIn(30, false);
    signIn(25, true, 'carol');
    expectRefused(await start(alices), DENIAL_REASON.MFA_REQUIRED, BROKER_ERROR.SIGN_IN_AGAIN);
  });

  test('a pool without threat protection cannot say: every start is refused (Misconfigured)', async () => {
    setUp({ threatProtection: false });
    expectRefused(await start(signIn(30, true)), DENIAL_REASON.MISCONFIGURED, BROKER_ERROR.INTERNAL_ERROR);
  });

  test('without the option, a sign-in without MFA starts and the pool is not asked (opt-in)', async () => {
    setUp({ threatProtection: true, requireAdminMfa: false });
    expect((await start(signIn(30, false))).error).toBeUndefined();
    expect(pool.calls).not.toContain('AdminListUserAuthEvents');
  });
});

describe('groups: requireAdminMfa guards only start', () => {
  let world: FakeWorld;
  let broker: BundledHandler;
  const alice = USERS.alice.username;

  beforeEach(() => {
    const restoreGroups = setGroupsEnv();
    const restoreFlag = withEnv({ [ENV.REQUIRE_ADMIN_MFA]: 'true' });
    restoreEnv = () => {
      restoreFlag();
      restoreGroups();
    };
    world = groupsBrokerWorld(stubs);
    broker = freshContainer('broker');
  });

  /** alice's sign-in, its event logged `secondsAgo` before the world's now, with these challenges. */
  const signedIn = (secondsAgo: number, challenges: typeof CHALLENGES[keyof typeof CHALLENGES]) =>
    world.authEvents.set(alice, [authEvent(Math.floor(world.now / 1000) - secondsAgo, { ChallengeResponses: [...challenges] })]);

  test('without MFA nothing starts; with MFA it starts; list and end then work whatever the pool says', async () => {
    signedIn(20, CHALLENGES.PASSWORD);
    const refused = await broker({ action: 'start', accessToken: world.accessToken(alice), target: USERS.bob.username, reason: 'SUP-14' }, lambdaContext());
    expect(refused).toEqual({ error: { code: BROKER_ERROR.SIGN_IN_AGAIN, message: expect.any(String) } });
    expect(audit.events().at(-1)).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.MFA_REQUIRED });
    expect(world.groupsOf(alice)).toEqual([...USERS.alice.groups].sort());

    world.now += 60_000;
    signedIn(20, CHALLENGES.PASSWORD_AND_MFA);
    const token = world.accessToken(alice);
    const started = await broker({ action: 'start', accessToken: token, target: USERS.bob.username, reason: 'SUP-14' }, lambdaContext());
    expect(started.error).toBeUndefined();

    // A later sign-in without MFA: only a new start would be refused.
    world.now += 60_000;
    signedIn(20, CHALLENGES.PASSWORD);
    const listed = await broker({ action: 'list', accessToken: token }, lambdaContext());
    expect(listed.sessions.map((s: any) => s.sessionId)).toEqual([started.sessionId]);
    const ended = await broker({ action: 'end', accessToken: token }, lambdaContext());
    expect(ended.ended).toHaveLength(1);
    expect(world.groupsOf(alice)).toEqual([...USERS.alice.groups].sort());
    expect(world.journal.filter((line) => / AdminListUserAuthEvents /.test(line))).toHaveLength(2);
  });
});
