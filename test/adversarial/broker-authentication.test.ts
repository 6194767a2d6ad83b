/**
 * Broker authentication, attacked through the BUNDLED broker with real RS256 tokens and a
 * stateful fake of Cognito (issue 10, items 1-4 and the property test): only a valid,
 * unrevoked access token of a live admin, bound to that admin by `sub`, starts anything.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { customChallengeBrokerEnv } from './kit/broker';
import { AuditLog, freshContainer, withEnv, type BundledHandler } from './kit/bundles';
import { FakeCognito } from './kit/fake-cognito';
import {
  ADMIN_SCOPE,
  APP_CLIENT_ID,
  CANONICAL_ISSUER,
  DEDICATED_CLIENT_ID,
  JwksServer,
  PoolSigningKey,
  REGION,
  UPDATED_ISSUER,
} from './kit/tokens';
import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON } from '../../src/private/contract';
import { FakeSecret, SECRET_ARN } from '../lambda-src/fixtures/challenge';
import { lambdaContext } from '../lambda-src/fixtures/common';

const ADMIN_GROUP = 'support-impersonators';
/** One pool signing key for the file: RSA key generation is slow, and the pool keeps its key. */
const POOL_KEY = new PoolSigningKey();
const cognitoMock = mockClient(CognitoIdentityProviderClient);
const secretsMock = mockClient(SecretsManagerClient);

let pool: FakeCognito;
let jwks: JwksServer;
let audit: AuditLog;
let restoreEnv: () => void;
let broker: BundledHandler;

/** A fresh pool, secret and broker container (the console and https spies stay). */
function setUp(): void {
  cognitoMock.reset();
  secretsMock.reset();
  pool = new FakeCognito(POOL_KEY);
  pool.addUser('alice', { groups: [ADMIN_GROUP] });
  pool.addUser('bob', { groups: ['customers'] });
  pool.install(cognitoMock);
  new FakeSecret(SECRET_ARN).install(secretsMock);
  audit.clear();
  jwks.fetches.clear();
  broker = freshContainer('broker');
}

beforeEach(() => {
  restoreEnv = withEnv(customChallengeBrokerEnv(ADMIN_GROUP));
  // The JWKS is served at both issuer forms, so a refusal is the issuer rule's, not a missing key's.
  jwks = new JwksServer().publish(CANONICAL_ISSUER, POOL_KEY.jwks).publish(UPDATED_ISSUER, POOL_KEY.jwks).start();
  audit = new AuditLog();
  setUp();
});

afterEach(() => {
  restoreEnv();
  jest.restoreAllMocks();
});

afterAll(() => {
  cognitoMock.restore();
  secretsMock.restore();
});

async function start(accessToken: string): Promise<Record<string, any>> {
  return broker({ action: 'start', accessToken, target: 'bob', reason: 'SUP-1 adversarial' }, lambdaContext());
}

/** Nothing started: no custom-auth sign-in of the target was even attempted. */
function expectNothingStarted(): void {
  expect(pool.calls).not.toContain('AdminInitiateAuth');
  expect(pool.calls).not.toContain('AdminRespondToAuthChallenge');
}

function expectRefused(response: Record<string, any>, denialReason: string, code: string = BROKER_ERROR.UNAUTHORIZED): Record<string, any> {
  expect(response).toEqual({ error: { code, message: expect.any(String) } });
  expectNothingStarted();
  const events = audit.events();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason });
  return events[0];
}

test('a valid admin token starts an impersonation (the control case)', async () => {
  const response = await start(pool.signIn('alice'));
  expect(response.error).toBeUndefined();
  expect(response.accessToken).toEqual(expect.any(String));
  expect(pool.calls).toContain('AdminInitiateAuth');
  expect(audit.events()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.GRANTED, actor: { sub: pool.users.get('alice')!.sub, username: 'alice' } })]);
});

describe('item 1: a revoked admin token', () => {
  test('after AdminUserGlobalSignOut, the admin\'s earlier token starts nothing', async () => {
    const token = pool.signIn('alice');
    pool.globalSignOut('alice');
    const record = expectRefused(await start(token), DENIAL_REASON.TOKEN_REVOKED);
    expect(record.actor).toEqual({ sub: pool.users.get('alice')!.sub, username: 'alice' });
    expect(pool.calls).toContain('GetUser');
    expect(audit.text()).not.toContain(token);
  });

  test('a token signed in after the sign-out works again', async () => {
    pool.signIn('alice');
    pool.globalSignOut('alice');
    const response = await start(pool.signIn('alice'));
    expect(response.error).toBeUndefined();
  });

  test('a token without the aws.cognito.signin.user.admin scope cannot be checked live, so it is refused', async () => {
    expectRefused(await start(pool.signIn('alice', { scope: 'openid email' })), DENIAL_REASON.UNAUTHENTICATED);
  });
});

describe('item 2: the token\'s sub is bound to the live admin', () => {
  test('the token of a deleted account whose username now belongs to another admin starts nothing', async () => {
    pool.addUser('mallory', { groups: [] });
    const oldToken = pool.signIn('mallory');
    const oldSub = pool.users.get('mallory')!.sub;
    pool.deleteUser('mallory');
    pool.addUser('mallory', { groups: [ADMIN_GROUP] });
    const record = expectRefused(await start(oldToken), DENIAL_REASON.SUB_MISMATCH);
    // The audit names the token's identity, never the new owner of the username as the actor.
    expect(record.actor).toEqual({ sub: oldSub, username: 'mallory' });
  });

  test('a token whose username claim names another admin than its sub starts nothing', async () => {
    pool.addUser('carol', { groups: [ADMIN_GROUP] });
    const bob = pool.users.get('bob')!;
    // Cognito never issues this; the point is that nothing but sub decides who the caller is.
    const token = pool.signIn('bob', { username: 'carol', sub: bob.sub });
    expectRefused(await start(token), DENIAL_REASON.SUB_MISMATCH);
  });
});

describe('item 3: token shapes Cognito never issues', () => {
  test.each([
    ['an array client_id naming an ordinary client', [APP_CLIENT_ID]],
    ['an array client_id naming the dedicated client', [DEDICATED_CLIENT_ID]],
    ['the dedicated client id with surrounding whitespace', ` ${DEDICATED_CLIENT_ID} `],
    ['the dedicated client id with a trailing newline', `${DEDICATED_CLIENT_ID}\n`],
    ['a numeric client_id', 12345],
    ['no client_id', undefined],
  ])('%s is refused', async (_name, clientId) => {
    expectRefused(await start(pool.signIn('alice', { client_id: clientId })), DENIAL_REASON.UNAUTHENTICATED);
  });

  test('the dedicated client\'s own token is refused (an impersonation token cannot start another)', async () => {
    expectRefused(await start(pool.signIn('alice', { client_id: DEDICATED_CLIENT_ID })), DENIAL_REASON.UNAUTHENTICATED);
  });

  test('an id token is refused', async () => {
    expectRefused(await start(pool.signIn('alice', { token_use: 'id', aud: APP_CLIENT_ID })), DENIAL_REASON.UNAUTHENTICATED);
  });
});

describe('item 4: only the canonical issuer', () => {
  test.each([
    ['the UPDATED issuer form', UPDATED_ISSUER],
    ['a trailing slash', `${CANONICAL_ISSUER}/`],
    ['http', CANONICAL_ISSUER.replace('https:', 'http:')],
    ['another region', CANONICAL_ISSUER.replace(`cognito-idp.${REGION}`, 'cognito-idp.us-east-1')],
    ['upper case', CANONICAL_ISSUER.toUpperCase()],
  ])('%s is refused', async (_name, iss) => {
    expectRefused(await start(pool.signIn('alice', { iss })), DENIAL_REASON.UNAUTHENTICATED);
    // The JWKS of a non-canonical issuer is never fetched.
    expect(jwks.requested().filter((url) => !url.startsWith(`${CANONICAL_ISSUER}/`))).toEqual([]);
  });
});

describe('property: random token claims against the live user table', () => {
  const NOW = () => Math.floor(Date.now() / 1000);

  test('only a valid, unrevoked admin access token of the same sub starts anything', async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({
        user: fc.constantFrom('alice', 'bob', 'erin', 'deleted'),
        sub: fc.constantFrom('own', 'other', 'random'),
        username: fc.constantFrom('own', 'alice', 'bob', 'missing'),
        clientId: fc.constantFrom<unknown>(APP_CLIENT_ID, DEDICATED_CLIENT_ID, [APP_CLIENT_ID], ` ${APP_CLIENT_ID}`, undefined),
        tokenUse: fc.constantFrom<unknown>('access', 'id', undefined, ['access']),
        iss: fc.constantFrom(CANONICAL_ISSUER, UPDATED_ISSUER, `${CANONICAL_ISSUER}/`),
        expired: fc.boolean(),
        revoked: fc.boolean(),
        scope: fc.constantFrom(ADMIN_SCOPE, 'openid'),
      }),
      async (c) => {
        setUp();
        pool.addUser('erin', { groups: [ADMIN_GROUP], enabled: false });
        pool.addUser('deleted', { groups: [ADMIN_GROUP] });
        const owner = pool.users.get(c.user)!;
        const subs = { own: owner.sub, other: pool.users.get(c.user === 'alice' ? 'bob' : 'alice')!.sub, random: '00000000-0000-4000-8000-000000000000' };
        const usernames = { own: owner.username, alice: 'alice', bob: 'bob', missing: undefined };
        const token = pool.signIn(c.user, {
          sub: subs[c.sub as keyof typeof subs],
          username: usernames[c.username as keyof typeof usernames],
          client_id: c.clientId,
          token_use: c.tokenUse,
          iss: c.iss,
          exp: c.expired ? NOW() - 1 : NOW() + 600,
          scope: c.scope,
        });
        if (c.revoked) pool.globalSignOut(c.user);
        if (c.user === 'deleted') pool.deleteUser('deleted');

        const response = await start(token);

        // The pool signed it, so a token whose claims name alice is alice's token, whoever the
        // generator "signed in": valid only if it names the live admin by both sub and username,
        // and was not revoked (a sign-out revokes the tokens of the signed-out user's sub).
        const tokenSub = subs[c.sub as keyof typeof subs];
        const namesAlice = tokenSub === pool.users.get('alice')!.sub && usernames[c.username as keyof typeof usernames] === 'alice';
        const revoked = c.revoked && tokenSub === owner.sub;
        const valid = namesAlice && !revoked
          && c.clientId === APP_CLIENT_ID && c.tokenUse === 'access' && c.iss === CANONICAL_ISSUER
          && !c.expired && c.scope === ADMIN_SCOPE;
        expect(pool.calls.includes('AdminInitiateAuth')).toBe(valid);
        expect(response.error === undefined).toBe(valid);
        const events = audit.events();
        expect(events).toHaveLength(1);
        expect(events[0].event).toBe(valid ? AUDIT_EVENT.GRANTED : AUDIT_EVENT.DENIED);
      },
    ), { numRuns: 300 });
  }, 120_000);
});
