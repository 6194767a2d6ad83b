/**
 * Issue 14, item 2: step-up (maxAdminAuthAge) through the BUNDLED broker with real signed
 * tokens. A `start` needs a sign-in (`auth_time`) at most that old; a token refreshed from an
 * old sign-in (new iat, old auth_time) does not pass; ending and listing are never refused for it.
 */
import { brokerClientStubs, customChallengeBrokerEnv, groupsBrokerWorld } from './kit/broker';
import { AuditLog, freshContainer, withEnv, type BundledHandler } from './kit/bundles';
import { FakeCognito } from './kit/fake-cognito';
import { CANONICAL_ISSUER, JwksServer, PoolSigningKey } from './kit/tokens';
import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON, ENV } from '../../src/private/contract';
import { FakeSecret, SECRET_ARN } from '../lambda-src/fixtures/challenge';
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
    restoreEnv = withEnv(customChallengeBrokerEnv(ADMIN_GROUP, { [ENV.MAX_ADMIN_AUTH_AGE_SECONDS]: maxAge }));
    new JwksServer().publish(CANONICAL_ISSUER, POOL_KEY.jwks).start();
    pool = new FakeCognito(POOL_KEY);
    pool.addUser('alice', { groups: [ADMIN_GROUP] });
    pool.addUser('bob', { groups: ['customers'] });
    pool.install(stubs.cognito);
    new FakeSecret(SECRET_ARN).install(stubs.secrets);
    broker = freshContainer('broker');
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
