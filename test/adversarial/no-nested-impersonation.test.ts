/**
 * Issue 14, item 4: no impersonation starts another, for every strategy, attacked through the
 * BUNDLED handlers with real signed tokens.
 * - customChallenge: the impersonation token (the target's, issued on the dedicated client,
 *   marked with `act`, without `aws.cognito.signin.user.admin`) is refused by the broker.
 * - groups: an admin holding borrowed groups who starts again supersedes the open session; the
 *   snapshot of the admin's own groups is taken only after the borrowed ones are gone, so no
 *   borrowed group is ever mistaken for the admin's own (and kept at the end).
 * - preTokenGeneration: the claim is decided from the signing-in user's own groups and request
 *   only: a refresh never carries it, a second sign-in names only its own target, and the
 *   impersonated customer cannot impersonate anyone.
 */
import { brokerClientStubs, customChallengeBroker, groupsBrokerWorld } from './kit/broker';
import { AuditLog, freshContainer, withEnv, type BundledHandler } from './kit/bundles';
import { FakeCognito } from './kit/fake-cognito';
import { ADMIN_SCOPE, DEDICATED_CLIENT_ID, POOL_ID, PoolSigningKey } from './kit/tokens';
import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON, ENV, STRATEGY } from '../../src/private/contract';
import { impersonationMetadata, lambdaContext, v2Event } from '../lambda-src/fixtures/common';
import { GROUPS_TEST_ENV, USERS, setGroupsEnv } from '../lambda-src/fixtures/groups';
import { FakeWorld } from '../lambda-src/fixtures/groups-world';

const ADMIN_GROUP = 'support-impersonators';
const POOL_KEY = new PoolSigningKey();
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

describe('customChallenge: an impersonation token starts nothing', () => {
  let pool: FakeCognito;
  let broker: BundledHandler;

  beforeEach(() => {
    ({ pool, broker, restoreEnv } = customChallengeBroker(stubs, POOL_KEY, ADMIN_GROUP, {
      users: { alice: [ADMIN_GROUP], bob: ['customers'], carol: ['customers'] },
    }));
  });

  const start = (accessToken: string, target = 'carol') =>
    broker({ action: 'start', accessToken, target, reason: 'SUP-14 nested' }, lambdaContext());

  /** bob's token as the broker hands it to alice: the dedicated client, `act` naming alice. */
  const impersonationToken = (overrides: Record<string, unknown> = {}) => pool.signIn('bob', {
    client_id: DEDICATED_CLIENT_ID,
    act: { sub: pool.users.get('alice')!.sub, username: 'alice' },
    scope: 'openid',
    ...overrides,
  });

  test('the control case: alice\'s own token starts', async () => {
    expect((await start(pool.signIn('alice'))).error).toBeUndefined();
    expect(pool.calls).toContain('AdminInitiateAuth');
  });

  test.each([
    ['as issued (scopes suppressed)', {}],
    ['even if it carried the admin scope (V1_0 cannot suppress it)', { scope: ADMIN_SCOPE }],
  ])('the impersonation token, %s, is refused before any live check', async (_name, overrides) => {
    const response = await start(impersonationToken(overrides));
    expect(response).toEqual({ error: { code: BROKER_ERROR.UNAUTHORIZED, message: expect.any(String) } });
    expect(pool.calls).toEqual([]);
    expect(audit.events()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.UNAUTHENTICATED })]);
  });

  test('bob, the impersonated customer, cannot start with his own ordinary token either', async () => {
    const response = await start(pool.signIn('bob'));
    expect(response.error.code).toBe(BROKER_ERROR.FORBIDDEN);
    expect(pool.calls).not.toContain('AdminInitiateAuth');
    expect(audit.events()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.NOT_ADMIN })]);
  });
});

describe('groups: borrowed groups never become the admin\'s own', () => {
  let world: FakeWorld;
  let broker: BundledHandler;
  const alice = USERS.alice.username;
  const ownGroups = () => [...USERS.alice.groups].sort();

  beforeEach(() => {
    restoreEnv = setGroupsEnv();
    world = groupsBrokerWorld(stubs);
    // A group carol shares with bob that alice lacks: the one a snapshot taken while borrowing would keep.
    world.users.get(USERS.carol.username)!.groups.push('beta-testers');
    broker = freshContainer('broker');
  });

  /** A token issued a second after everything so far (a global sign-out revokes tokens up to its instant). */
  const freshToken = (username: string) => {
    world.now += 1000;
    return world.accessToken(username);
  };
  const start = (target: string) =>
    broker({ action: 'start', accessToken: freshToken(alice), target, reason: 'SUP-14 nested' }, lambdaContext());
  const end = () => broker({ action: 'end', accessToken: freshToken(alice) }, lambdaContext());

  test('a second start while borrowing supersedes the first and records every group it adds', async () => {
    const first = await start(USERS.bob.username);
    expect(first.groupsAdded).toEqual(['beta-testers', 'billing-viewers']);
    expect(world.groupsOf(alice)).toEqual([...ownGroups(), 'beta-testers', 'billing-viewers'].sort());

    const second = await start(USERS.carol.username);
    expect(second.error).toBeUndefined();
    // beta-testers is borrowed (from bob), not alice's own: the new session records it.
    expect([...second.groupsAdded].sort()).toEqual(['beta-testers', 'enterprise-plan', 'eu-region']);
    expect(world.groupsOf(alice)).toEqual([...ownGroups(), 'beta-testers', 'enterprise-plan', 'eu-region'].sort());
    const events = audit.events().map((e) => [e.event, e.cause].filter(Boolean).join(':'));
    expect(events).toEqual([AUDIT_EVENT.GRANTED, `${AUDIT_EVENT.ENDED}:superseded`, AUDIT_EVENT.GRANTED]);

    expect((await end()).error).toBeUndefined();
    // Exactly alice's own groups remain: nothing borrowed from either customer.
    expect(world.groupsOf(alice)).toEqual(ownGroups());
  });

  test('while borrowing, a session can never hand out the admin group (it is protected)', async () => {
    world.users.get(USERS.carol.username)!.groups.push(GROUPS_TEST_ENV.adminGroup);
    await start(USERS.bob.username);
    const response = await start(USERS.carol.username);
    expect(response.error.code).toBe(DENIAL_REASON.TARGET_PROTECTED);
    expect(audit.events().at(-1)).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.TARGET_PROTECTED });
    // The refusal changed nothing: the first session (bob's groups) is still open, as recorded.
    expect(world.groupsOf(alice)).toEqual([...ownGroups(), 'beta-testers', 'billing-viewers'].sort());
  });
});

describe('preTokenGeneration: a token carrying the claim impersonates no further', () => {
  let pool: FakeCognito;
  let trigger: BundledHandler;

  beforeEach(() => {
    restoreEnv = withEnv({
      [ENV.STRATEGY]: STRATEGY.PRE_TOKEN_GENERATION,
      [ENV.ADMIN_GROUP]: ADMIN_GROUP,
      [ENV.PROTECTED_GROUPS]: JSON.stringify([ADMIN_GROUP]),
      [ENV.CLAIM_NAME]: undefined,
    });
    pool = new FakeCognito(POOL_KEY);
    pool.addUser('alice', { groups: [ADMIN_GROUP] });
    pool.addUser('bob', { groups: ['customers'] });
    pool.addUser('carol', { groups: ['customers'] });
    pool.install(stubs.cognito);
    trigger = freshContainer('pre-token-generation');
  });

  /** A Pre Token Generation event of `username` (with the groups Cognito reports for them) asking to impersonate `target`. */
  const tokenEvent = (username: string, target: string, triggerSource = 'TokenGeneration_Authentication') => {
    const user = pool.users.get(username)!;
    const metadata = impersonationMetadata(target);
    const event = v2Event({ userName: username, sub: user.sub, groups: [...user.groups], clientMetadata: metadata, triggerSource });
    return { ...event, userPoolId: POOL_ID };
  };
  const claimOf = (event: any) =>
    event.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride?.impersonating;

  test('a second sign-in while impersonating names only its own target (replaces, never nests)', async () => {
    const first = await trigger(tokenEvent('alice', 'bob'), lambdaContext());
    expect(claimOf(first)).toMatchObject({ username: 'bob', sub: pool.users.get('bob')!.sub });
    const second = await trigger(tokenEvent('alice', 'carol'), lambdaContext());
    expect(claimOf(second)).toEqual({ username: 'carol', sub: pool.users.get('carol')!.sub, sessionId: expect.any(String) });
    expect(JSON.stringify(second.response)).not.toContain('bob');
  });

  test('a refresh of the impersonating token, even with a request, is refused: no claim is ever carried on', async () => {
    await expect(trigger(tokenEvent('alice', 'carol', 'TokenGeneration_RefreshTokens'), lambdaContext())).rejects.toThrow();
    expect(audit.events()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.REFRESH_NOT_ALLOWED })]);
  });

  test('the impersonated customer (whose groups the trigger sees) cannot impersonate anyone', async () => {
    await expect(trigger(tokenEvent('bob', 'carol'), lambdaContext())).rejects.toThrow();
    expect(audit.events()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.NOT_ADMIN })]);
    expect(pool.calls).toEqual([]);
  });
});
