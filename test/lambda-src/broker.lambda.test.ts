import { createHmac, generateKeyPairSync } from 'crypto';
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRespondToAuthChallengeCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  InternalErrorException,
  ListUsersCommand,
  NotAuthorizedException,
  TooManyRequestsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetSecretValueCommand, InternalServiceError, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CHALLENGE_ENV,
  DEDICATED_CLIENT_ID,
  DEDICATED_CLIENT_SECRET,
  FakeSecret,
  ISSUER,
  KEY_1,
  KEY_2,
  OTHER_CLIENT_ID,
  SECRET_ARN,
  TokenIssuer,
  accessTokenClaims,
  keyValue,
  newNonce,
  signJwt,
} from './fixtures/challenge';
import {
  ADMIN,
  ADMIN_GROUP,
  PROTECTED_GROUP,
  REASON,
  REQUEST_ID,
  TARGET,
  USER_POOL_ID,
  UUID,
  adminGetUserOutput,
  groupsPage,
  isIsoTime,
  lambdaContext,
} from './fixtures/common';
import { handlerTest } from './fixtures/handler-test';
import { handler } from '../../lambda-src/broker.lambda';
import * as awsClients from '../../lambda-src/common/aws-clients';
import { verifyAssertion } from '../../lambda-src/custom-challenge/assertion';
import { ASSERTION_METADATA_KEY, AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON, LIMITS, SOURCE, STRATEGY } from '../../src/private/contract';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const secretsMock = mockClient(SecretsManagerClient);
const ssmMock = mockClient(SSMClient);

const issuer = new TokenIssuer();
const { logs, setEnv } = handlerTest({ mocks: [cognitoMock, secretsMock, ssmMock], env: CHALLENGE_ENV, trust: issuer });
const NONCE = newNonce();
const COGNITO_SESSION = 'AYABeD1-cognito-session-string-for-the-custom-challenge';
const TARGET_TOKENS = {
  IdToken: 'eyJraWQiOiJ0YXJnZXQtaWQifQ.eyJzdWIiOiJ0YXJnZXQifQ.target-id-token-signature',
  AccessToken: 'eyJraWQiOiJ0YXJnZXQtYWNjZXNzIn0.eyJzdWIiOiJ0YXJnZXQifQ.target-access-token-signature',
  RefreshToken: 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.REFRESH-TOKEN-THAT-MUST-NEVER-LEAVE-THE-BROKER',
  ExpiresIn: 900,
  TokenType: 'Bearer',
};
/** Text of SDK errors: never in a response or a log. */
const SDK_ERROR_TEXT = 'Unable to verify secret hash for client 7kq2m1impersonation0dedic8 (internal detail)';

beforeEach(() => {
  new FakeSecret(SECRET_ARN, KEY_1).install(secretsMock);
  userExists(ADMIN.username, { sub: ADMIN.sub, groups: [ADMIN_GROUP] });
  userExists(TARGET.username, { sub: TARGET.sub, groups: ['customers'] });
  cognitoMock.on(ListUsersCommand).resolves({ Users: [] });
  cognitoMock.on(ListUsersCommand, { Filter: `sub = "${TARGET.sub}"` }).resolves({ Users: [{ Username: TARGET.username }] });
  cognitoMock.on(ListUsersCommand, { Filter: `sub = "${ADMIN.sub}"` }).resolves({ Users: [{ Username: ADMIN.username }] });
  cognitoMock.on(DescribeUserPoolClientCommand, { UserPoolId: USER_POOL_ID, ClientId: DEDICATED_CLIENT_ID }).resolves({
    UserPoolClient: { UserPoolId: USER_POOL_ID, ClientId: DEDICATED_CLIENT_ID, ClientName: 'impersonation', ClientSecret: DEDICATED_CLIENT_SECRET },
  });
  cognitoMock.on(AdminInitiateAuthCommand).resolves({
    ChallengeName: 'CUSTOM_CHALLENGE',
    Session: COGNITO_SESSION,
    ChallengeParameters: { USERNAME: TARGET.username, nonce: NONCE },
  });
  cognitoMock.on(AdminRespondToAuthChallengeCommand).resolves({ ChallengeParameters: {}, AuthenticationResult: TARGET_TOKENS });
});

function userExists(username: string, options: { sub: string; groups: string[]; enabled?: boolean }): void {
  cognitoMock.on(AdminGetUserCommand, { UserPoolId: USER_POOL_ID, Username: username })
    .resolves(adminGetUserOutput({ username, sub: options.sub, enabled: options.enabled ?? true }));
  cognitoMock.on(AdminListGroupsForUserCommand, { UserPoolId: USER_POOL_ID, Username: username }).resolves(groupsPage(options.groups));
}

function adminToken(overrides: Record<string, unknown> = {}): string {
  return issuer.sign(accessTokenClaims(overrides));
}

function startRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { action: 'start', accessToken: adminToken(), target: TARGET.username, reason: REASON, ...overrides };
}

function expectedSecretHash(username: string): string {
  return createHmac('sha256', DEDICATED_CLIENT_SECRET).update(username + DEDICATED_CLIENT_ID).digest('base64');
}

/** Nothing secret in the log: no token, no key, no client secret, no challenge answer. */
function expectNothingSecretLogged(extra: string[] = []): void {
  const text = logs.text();
  const secrets = [KEY_1, KEY_2, DEDICATED_CLIENT_SECRET, NONCE, SDK_ERROR_TEXT, ...extra];
  for (const value of [...secrets, TARGET_TOKENS.IdToken, TARGET_TOKENS.AccessToken, TARGET_TOKENS.RefreshToken]) {
    expect(text).not.toContain(value);
  }
  const respond = cognitoMock.commandCalls(AdminRespondToAuthChallengeCommand);
  for (const call of respond) {
    const answer = call.args[0].input.ChallengeResponses!.ANSWER;
    expect(text).not.toContain(answer);
    expect(text).not.toContain(JSON.parse(answer).mac);
  }
}

interface Denial {
  readonly code: string;
  readonly denialReason: string;
  /** Fields of the audit event besides the common ones. */
  readonly audit?: Record<string, unknown>;
}

/**
 * Invokes the broker and expects exactly `{ error: { code, message } }` with a message that
 * reveals nothing, and exactly one `impersonation.denied` event with the denial reason.
 */
async function expectDenied(event: unknown, denial: Denial): Promise<{ message: string; record: Record<string, any> }> {
  const response = await handler(event, lambdaContext()) as Record<string, any>;

  expect(Object.keys(response)).toEqual(['error']);
  expect(Object.keys(response.error).sort()).toEqual(['code', 'message']);
  expect(response.error.code).toBe(denial.code);
  const message: string = response.error.message;
  expect(typeof message).toBe('string');
  expect(message.length).toBeGreaterThan(0);
  const serialized = JSON.stringify(response);
  for (const revealing of [SDK_ERROR_TEXT, 'internal detail', USER_POOL_ID, DEDICATED_CLIENT_ID, DEDICATED_CLIENT_SECRET, KEY_1, TARGET.sub, TARGET.username, ADMIN.username, NONCE, 'Exception']) {
    expect(serialized).not.toContain(revealing);
  }

  const events = logs.auditEvents();
  expect(events).toHaveLength(1);
  const record = events[0];
  expect(logs.warn).toHaveBeenCalledTimes(1);
  expect(logs.info).not.toHaveBeenCalled();
  expect(record).toEqual({
    schemaVersion: 1,
    time: expect.any(String),
    event: AUDIT_EVENT.DENIED,
    strategy: STRATEGY.CUSTOM_CHALLENGE,
    source: SOURCE.BROKER,
    userPoolId: USER_POOL_ID,
    requestId: REQUEST_ID,
    denialReason: denial.denialReason,
    ...denial.audit,
  });
  expect(isIsoTime(record.time)).toBe(true);
  expectNothingSecretLogged();
  return { message, record };
}

/** The audit fields of a refusal after the admin was authenticated. */
function afterAuth(target: Record<string, unknown>): Record<string, unknown> {
  return { actor: { sub: ADMIN.sub, username: ADMIN.username }, action: 'start', target, reason: REASON };
}

function expectNoSignIn(): void {
  expect(cognitoMock.commandCalls(AdminInitiateAuthCommand)).toHaveLength(0);
  expect(cognitoMock.commandCalls(AdminRespondToAuthChallengeCommand)).toHaveLength(0);
}

describe('start: success', () => {
  it('returns the target\'s ID and access tokens, their expiry, a session id and the target; never the refresh token', async () => {
    const before = Date.now();
    const response = await handler(startRequest(), lambdaContext()) as Record<string, any>;
    const after = Date.now();

    expect(response).toEqual({
      idToken: TARGET_TOKENS.IdToken,
      accessToken: TARGET_TOKENS.AccessToken,
      tokenType: 'Bearer',
      expiresIn: 900,
      expiresAt: expect.any(String),
      sessionId: expect.stringMatching(UUID),
      target: { username: TARGET.username, sub: TARGET.sub },
    });
    expect(Object.keys(response)).not.toContain('refreshToken');
    expect(JSON.stringify(response)).not.toContain(TARGET_TOKENS.RefreshToken);
    expect(isIsoTime(response.expiresAt)).toBe(true);
    const expiresAt = Date.parse(response.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 900_000 - 1);
    expect(expiresAt).toBeLessThanOrEqual(after + 900_000);
  });

  it('signs the target in through the dedicated client: SECRET_HASH from the described client secret, CUSTOM_AUTH', async () => {
    await handler(startRequest(), lambdaContext());

    expect(cognitoMock.commandCalls(DescribeUserPoolClientCommand).map((c) => c.args[0].input))
      .toEqual([{ UserPoolId: USER_POOL_ID, ClientId: DEDICATED_CLIENT_ID }]);
    expect(cognitoMock.commandCalls(AdminInitiateAuthCommand).map((c) => c.args[0].input)).toEqual([{
      UserPoolId: USER_POOL_ID,
      ClientId: DEDICATED_CLIENT_ID,
      AuthFlow: 'CUSTOM_AUTH',
      AuthParameters: { USERNAME: TARGET.username, SECRET_HASH: expectedSecretHash(TARGET.username) },
    }]);
  });

  it('answers with an assertion over the nonce Cognito returned, signed with the current key, and passes it as ClientMetadata', async () => {
    const response = await handler(startRequest(), lambdaContext()) as Record<string, any>;
    const nowSeconds = Math.floor(Date.now() / 1000);

    const calls = cognitoMock.commandCalls(AdminRespondToAuthChallengeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    const answer = input.ChallengeResponses!.ANSWER;
    expect(input).toEqual({
      UserPoolId: USER_POOL_ID,
      ClientId: DEDICATED_CLIENT_ID,
      ChallengeName: 'CUSTOM_CHALLENGE',
      Session: COGNITO_SESSION,
      ChallengeResponses: { USERNAME: TARGET.username, ANSWER: answer, SECRET_HASH: expectedSecretHash(TARGET.username) },
      ClientMetadata: { [ASSERTION_METADATA_KEY]: answer },
    });

    const verified = verifyAssertion(answer, { nonce: NONCE, targetUsername: TARGET.username, clientId: DEDICATED_CLIENT_ID }, [KEY_1], nowSeconds);
    expect(verified).toEqual({
      ok: true,
      assertion: expect.objectContaining({
        actorSub: ADMIN.sub,
        actorUsername: ADMIN.username,
        sessionId: response.sessionId,
      }),
    });
    const { expiresAt } = JSON.parse(answer);
    expect(expiresAt).toBeGreaterThan(nowSeconds);
    expect(expiresAt).toBeLessThanOrEqual(nowSeconds + LIMITS.ASSERTION_LIFETIME_SECONDS + 1);
    // Not over another nonce, and not with another key.
    const expected = { nonce: NONCE, targetUsername: TARGET.username, clientId: DEDICATED_CLIENT_ID };
    expect(verifyAssertion(answer, { ...expected, nonce: newNonce() }, [KEY_1], nowSeconds).ok).toBe(false);
    expect(verifyAssertion(answer, expected, [KEY_2], nowSeconds).ok).toBe(false);
  });

  it('writes exactly one granted event, and nothing secret', async () => {
    const response = await handler(startRequest(), lambdaContext()) as Record<string, any>;

    const events = logs.auditEvents();
    expect(events).toEqual([{
      schemaVersion: 1,
      time: expect.any(String),
      event: AUDIT_EVENT.GRANTED,
      strategy: STRATEGY.CUSTOM_CHALLENGE,
      source: SOURCE.BROKER,
      userPoolId: USER_POOL_ID,
      clientId: DEDICATED_CLIENT_ID,
      requestId: REQUEST_ID,
      action: 'start',
      actor: { sub: ADMIN.sub, username: ADMIN.username },
      target: { requested: TARGET.username, sub: TARGET.sub, username: TARGET.username },
      reason: REASON,
      sessionId: response.sessionId,
      expiresAt: response.expiresAt,
    }]);
    expect(logs.info).toHaveBeenCalledTimes(1);
    expect(logs.warn).not.toHaveBeenCalled();
    expectNothingSecretLogged([(startRequest().accessToken as string).split('.')[2]]);
  });

  it('re-checks the admin live: AdminGetUser and AdminListGroupsForUser for the token\'s username', async () => {
    await handler(startRequest(), lambdaContext());

    const users = cognitoMock.commandCalls(AdminGetUserCommand).map((c) => c.args[0].input.Username);
    expect(users).toEqual([ADMIN.username, TARGET.username]);
    const groups = cognitoMock.commandCalls(AdminListGroupsForUserCommand).map((c) => c.args[0].input.Username);
    expect(groups).toEqual([ADMIN.username, TARGET.username]);
  });

  it('"start" is the default action', async () => {
    const { action: _, ...withoutAction } = startRequest();
    const response = await handler(withoutAction, lambdaContext()) as Record<string, any>;
    expect(response.idToken).toBe(TARGET_TOKENS.IdToken);
  });

  it('finds the target by sub with ListUsers, and signs in the username it names', async () => {
    const response = await handler(startRequest({ target: TARGET.sub }), lambdaContext()) as Record<string, any>;

    expect(response.target).toEqual({ username: TARGET.username, sub: TARGET.sub });
    expect(cognitoMock.commandCalls(ListUsersCommand).map((c) => c.args[0].input))
      .toEqual([{ UserPoolId: USER_POOL_ID, Filter: `sub = "${TARGET.sub}"`, Limit: 2 }]);
    expect(cognitoMock.commandCalls(AdminInitiateAuthCommand)[0].args[0].input.AuthParameters)
      .toEqual({ USERNAME: TARGET.username, SECRET_HASH: expectedSecretHash(TARGET.username) });
    expect(logs.auditEvents()[0].target).toEqual({ requested: TARGET.sub, sub: TARGET.sub, username: TARGET.username });
  });

  it('reports the token type as Bearer when Cognito leaves it out', async () => {
    const { TokenType: _, ...withoutType } = TARGET_TOKENS;
    cognitoMock.on(AdminRespondToAuthChallengeCommand).resolves({ AuthenticationResult: withoutType });
    const response = await handler(startRequest(), lambdaContext()) as Record<string, any>;
    expect(response.tokenType).toBe('Bearer');
  });

  it('reads the client secret once per container', async () => {
    await handler(startRequest(), lambdaContext());
    await handler(startRequest(), lambdaContext());
    expect(cognitoMock.commandCalls(DescribeUserPoolClientCommand)).toHaveLength(1);
    expect(cognitoMock.commandCalls(AdminInitiateAuthCommand)).toHaveLength(2);
  });

  it('reason is optional when IMPERSONATION_REQUIRE_REASON is "false"', async () => {
    setEnv({ ...CHALLENGE_ENV, REQUIRE_REASON: 'false' });
    const { reason: _, ...withoutReason } = startRequest();
    const response = await handler(withoutReason, lambdaContext()) as Record<string, any>;
    expect(response.idToken).toBe(TARGET_TOKENS.IdToken);
  });

  it('signs with the current key after a rotation', async () => {
    secretsMock.reset();
    const secret = new FakeSecret(SECRET_ARN, KEY_1);
    secret.beginRotation('version-0001');
    secret.versions.get('version-0001')!.value = keyValue(KEY_2);
    secret.versions.get('version-0001')!.stages = ['AWSCURRENT'];
    secret.versions.get('version-0000-initial')!.stages = ['AWSPREVIOUS'];
    secret.install(secretsMock);

    await handler(startRequest(), lambdaContext());

    const answer = cognitoMock.commandCalls(AdminRespondToAuthChallengeCommand)[0].args[0].input.ChallengeResponses!.ANSWER;
    const expected = { nonce: NONCE, targetUsername: TARGET.username, clientId: DEDICATED_CLIENT_ID };
    const now = Math.floor(Date.now() / 1000);
    expect(verifyAssertion(answer, expected, [KEY_2], now).ok).toBe(true);
    expect(verifyAssertion(answer, expected, [KEY_1], now).ok).toBe(false);
  });
});

describe('InvalidRequest: malformed input is refused before anything is read', () => {
  const noTarget = { target: { requested: undefined }, reason: undefined };
  const circular: Record<string, unknown> = { action: 'start' };
  circular.self = circular;

  it.each<[string, () => unknown, Record<string, unknown>]>([
    ['a string', () => 'start', noTarget],
    ['null', () => null, noTarget],
    ['undefined', () => undefined, noTarget],
    ['an array', () => [startRequest()], noTarget],
    ['a number', () => 42, noTarget],
    ['an object that cannot be serialized (circular)', () => circular, { target: { requested: undefined }, reason: undefined }],
    ['an unknown field', () => startRequest({ admin: true }), { target: { requested: TARGET.username }, reason: REASON }],
    ['a request larger than 16 KB', () => startRequest({ reason: 'x'.repeat(LIMITS.MAX_BROKER_REQUEST_BYTES) }), {
      target: { requested: TARGET.username }, reason: `${'x'.repeat(LIMITS.MAX_REASON_LENGTH)}…`,
    }],
    ['an unknown action', () => startRequest({ action: 'delete' }), { target: { requested: TARGET.username }, reason: REASON }],
    ['an action that is not a string', () => startRequest({ action: ['start'] }), { target: { requested: TARGET.username }, reason: REASON }],
    ['no access token', () => startRequest({ accessToken: undefined }), { target: { requested: TARGET.username }, reason: REASON }],
    ['an access token that is not a JWT', () => startRequest({ accessToken: 'Bearer something' }), { target: { requested: TARGET.username }, reason: REASON }],
    ['an access token with two parts', () => startRequest({ accessToken: 'aGVhZGVy.cGF5bG9hZA' }), { target: { requested: TARGET.username }, reason: REASON }],
    ['an access token that is not a string', () => startRequest({ accessToken: { jwt: adminToken() } }), { target: { requested: TARGET.username }, reason: REASON }],
    ['an access token longer than 8 KB', () => startRequest({ accessToken: `${'a'.repeat(4100)}.${'b'.repeat(4100)}.c` }), { target: { requested: TARGET.username }, reason: REASON }],
    ['a malformed sessionId', () => startRequest({ sessionId: 'not-a-session' }), { target: { requested: TARGET.username }, reason: REASON }],
    ['a sessionId that is not a string', () => startRequest({ sessionId: 1234 }), { target: { requested: TARGET.username }, reason: REASON }],
  ])('%s', async (_, build, audit) => {
    await expectDenied(build(), { code: BROKER_ERROR.INVALID_REQUEST, denialReason: DENIAL_REASON.INVALID_REQUEST, audit });
    expect(cognitoMock.calls()).toHaveLength(0);
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['no target', { target: undefined }, { target: { requested: undefined } }],
    ['a target that is not a string', { target: 42 }, { target: { requested: undefined } }],
    ['an empty target', { target: '   ' }, { target: { requested: '   ' } }],
    ['a target longer than 128 characters', { target: 'u'.repeat(129) }, { target: { requested: `${'u'.repeat(128)}…` } }],
    ['a target with a control character', { target: 'bob\u0000.customer' }, { target: { requested: 'bob\u0000.customer' } }],
    ['a reason that is not a string', { reason: 42 }, { reason: undefined }],
    ['a reason longer than the configured maximum', { reason: 'r'.repeat(257) }, { reason: 'r'.repeat(257) }],
  ])('after authentication: %s', async (_, overrides, audit) => {
    await expectDenied(startRequest(overrides), {
      code: BROKER_ERROR.INVALID_REQUEST,
      denialReason: DENIAL_REASON.INVALID_REQUEST,
      audit: { ...afterAuth({ requested: TARGET.username }), ...audit },
    });
    expectNoSignIn();
  });

  it.each(['end', 'list'])('an action the customChallenge broker does not offer (%s): InvalidRequest, no AWS call', async (action) => {
    const { message } = await expectDenied(startRequest({ action, sessionId: '5f0c7d7e-9a51-4c1e-8d3a-2b6f4e1a9c10' }), {
      code: BROKER_ERROR.INVALID_REQUEST,
      denialReason: DENIAL_REASON.UNSUPPORTED_ACTION,
      audit: { action, target: { requested: TARGET.username }, reason: REASON },
    });
    expect(message).toMatch(/not offered/);
    expect(cognitoMock.calls()).toHaveLength(0);
  });
});

describe('Unauthorized: the access token does not check out', () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const noActor = { target: { requested: TARGET.username }, reason: REASON, action: 'start' };
  const now = () => Math.floor(Date.now() / 1000);

  it.each<[string, () => string]>([
    ['a bad signature (signed with another key under the pool\'s kid)', () => signJwt(other.privateKey, { kid: issuer.kid, alg: 'RS256' }, accessTokenClaims())],
    ['a tampered payload (groups added after signing)', () => {
      const [header, , signature] = adminToken({ 'cognito:groups': [] }).split('.');
      const payload = Buffer.from(JSON.stringify(accessTokenClaims())).toString('base64url');
      return `${header}.${payload}.${signature}`;
    }],
    ['an unsigned token (alg none)', () => {
      const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${encode({ kid: issuer.kid, alg: 'none' })}.${encode(accessTokenClaims())}.AAAA`;
    }],
    ['an expired token', () => adminToken({ exp: now() - 5, iat: now() - 3605 })],
    ['an ID token instead of an access token', () => {
      const { client_id: _, ...claims } = accessTokenClaims({ token_use: 'id', aud: OTHER_CLIENT_ID });
      return issuer.sign(claims);
    }],
    ['a token of another user pool', () => adminToken({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OtherPool9' })],
    ['a token of another issuer altogether', () => adminToken({ iss: 'https://evil.example.com' })],
    ['a token of the impersonation client itself (an impersonation cannot start another)', () => adminToken({ client_id: DEDICATED_CLIENT_ID })],
    ['a token without a username', () => adminToken({ username: undefined })],
    ['a token without a sub', () => adminToken({ sub: undefined })],
  ])('%s', async (_, token) => {
    await expectDenied(startRequest({ accessToken: token() }), {
      code: BROKER_ERROR.UNAUTHORIZED,
      denialReason: DENIAL_REASON.UNAUTHENTICATED,
      audit: noActor,
    });
    expect(cognitoMock.calls()).toHaveLength(0);
  });

  it('the well-formed token of the same claims, properly signed, is accepted (the cases above fail for their one reason)', async () => {
    const token = issuer.sign(accessTokenClaims({ iss: ISSUER }));
    const response = await handler(startRequest({ accessToken: token }), lambdaContext()) as Record<string, any>;
    expect(response.idToken).toBe(TARGET_TOKENS.IdToken);
  });
});

describe('Forbidden', () => {
  it('an admin removed from the admin group, although the token still lists it', async () => {
    userExists(ADMIN.username, { sub: ADMIN.sub, groups: ['support-readonly'] });
    const { record } = await expectDenied(startRequest({ accessToken: adminToken({ 'cognito:groups': [ADMIN_GROUP] }) }), {
      code: BROKER_ERROR.FORBIDDEN,
      denialReason: DENIAL_REASON.NOT_ADMIN,
      audit: { action: 'start', target: { requested: TARGET.username }, reason: REASON },
    });
    expect(record.actor).toBeUndefined();
    expectNoSignIn();
  });

  it('a disabled admin', async () => {
    userExists(ADMIN.username, { sub: ADMIN.sub, groups: [ADMIN_GROUP], enabled: false });
    await expectDenied(startRequest(), {
      code: BROKER_ERROR.FORBIDDEN,
      denialReason: DENIAL_REASON.NOT_ADMIN,
      audit: { action: 'start', target: { requested: TARGET.username }, reason: REASON },
    });
    expectNoSignIn();
  });

  it('an admin who no longer exists', async () => {
    cognitoMock.on(AdminGetUserCommand, { Username: ADMIN.username }).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    await expectDenied(startRequest(), {
      code: BROKER_ERROR.FORBIDDEN,
      denialReason: DENIAL_REASON.NOT_ADMIN,
      audit: { action: 'start', target: { requested: TARGET.username }, reason: REASON },
    });
  });

  it('a valid token of a user who never was an admin', async () => {
    userExists(ADMIN.username, { sub: ADMIN.sub, groups: [] });
    await expectDenied(startRequest({ accessToken: adminToken({ 'cognito:groups': undefined }) }), {
      code: BROKER_ERROR.FORBIDDEN,
      denialReason: DENIAL_REASON.NOT_ADMIN,
      audit: { action: 'start', target: { requested: TARGET.username }, reason: REASON },
    });
  });

  it('impersonating yourself, by username', async () => {
    await expectDenied(startRequest({ target: ADMIN.username }), {
      code: BROKER_ERROR.FORBIDDEN,
      denialReason: DENIAL_REASON.SELF_IMPERSONATION,
      audit: afterAuth({ requested: ADMIN.username, sub: ADMIN.sub, username: ADMIN.username }),
    });
    expectNoSignIn();
  });

  it('impersonating yourself, by sub', async () => {
    await expectDenied(startRequest({ target: ADMIN.sub }), {
      code: BROKER_ERROR.FORBIDDEN,
      denialReason: DENIAL_REASON.SELF_IMPERSONATION,
      audit: afterAuth({ requested: ADMIN.sub, sub: ADMIN.sub, username: ADMIN.username }),
    });
    expectNoSignIn();
  });
});

describe('refusals about the target', () => {
  it('TargetNotFound: no such user', async () => {
    cognitoMock.on(AdminGetUserCommand, { Username: 'nobody' }).rejects(new UserNotFoundException({ message: SDK_ERROR_TEXT, $metadata: {} }));
    await expectDenied(startRequest({ target: 'nobody' }), {
      code: BROKER_ERROR.TARGET_NOT_FOUND,
      denialReason: DENIAL_REASON.TARGET_NOT_FOUND,
      audit: afterAuth({ requested: 'nobody' }),
    });
    expectNoSignIn();
  });

  it('TargetNotFound: a sub that matches nobody', async () => {
    const sub = '44444444-aaaa-4bbb-8ccc-000000000004';
    cognitoMock.on(AdminGetUserCommand, { Username: sub }).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    await expectDenied(startRequest({ target: sub }), {
      code: BROKER_ERROR.TARGET_NOT_FOUND,
      denialReason: DENIAL_REASON.TARGET_NOT_FOUND,
      audit: afterAuth({ requested: sub }),
    });
  });

  it('TargetDisabled', async () => {
    userExists(TARGET.username, { sub: TARGET.sub, groups: ['customers'], enabled: false });
    await expectDenied(startRequest(), {
      code: BROKER_ERROR.TARGET_DISABLED,
      denialReason: DENIAL_REASON.TARGET_DISABLED,
      audit: afterAuth({ requested: TARGET.username, sub: TARGET.sub, username: TARGET.username }),
    });
    expectNoSignIn();
  });

  it.each([PROTECTED_GROUP, ADMIN_GROUP])('TargetProtected: a member of %s', async (group) => {
    userExists(TARGET.username, { sub: TARGET.sub, groups: ['customers', group] });
    await expectDenied(startRequest(), {
      code: BROKER_ERROR.TARGET_PROTECTED,
      denialReason: DENIAL_REASON.TARGET_PROTECTED,
      audit: afterAuth({ requested: TARGET.username, sub: TARGET.sub, username: TARGET.username }),
    });
    expectNoSignIn();
  });

  it.each<[string, Record<string, unknown>]>([
    ['no reason', { reason: undefined }],
    ['an empty reason', { reason: '' }],
    ['a blank reason', { reason: '   ' }],
  ])('ReasonRequired: %s', async (_, overrides) => {
    await expectDenied(startRequest(overrides), {
      code: BROKER_ERROR.REASON_REQUIRED,
      denialReason: DENIAL_REASON.REASON_REQUIRED,
      audit: { ...afterAuth({ requested: TARGET.username }), reason: overrides.reason },
    });
    expectNoSignIn();
  });
});

describe('InternalError: the message says nothing of what failed', () => {
  const signInAudit = afterAuth({ requested: TARGET.username, sub: TARGET.sub, username: TARGET.username });
  const sdkError = (Type: typeof NotAuthorizedException | typeof InternalErrorException | typeof TooManyRequestsException) =>
    new Type({ message: SDK_ERROR_TEXT, $metadata: {} });

  it.each<[string, () => void]>([
    ['AdminInitiateAuth fails', () => cognitoMock.on(AdminInitiateAuthCommand).rejects(sdkError(NotAuthorizedException))],
    ['AdminInitiateAuth is throttled', () => cognitoMock.on(AdminInitiateAuthCommand).rejects(sdkError(TooManyRequestsException))],
    ['AdminInitiateAuth answers with another challenge', () => cognitoMock.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SMS_MFA', Session: COGNITO_SESSION, ChallengeParameters: { nonce: NONCE } })],
    ['AdminInitiateAuth issues tokens without a challenge', () => cognitoMock.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: TARGET_TOKENS })],
    ['AdminInitiateAuth returns no nonce', () => cognitoMock.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'CUSTOM_CHALLENGE', Session: COGNITO_SESSION, ChallengeParameters: {} })],
    ['AdminInitiateAuth returns no session', () => cognitoMock.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'CUSTOM_CHALLENGE', ChallengeParameters: { nonce: NONCE } })],
    ['the challenge answer is refused', () => cognitoMock.on(AdminRespondToAuthChallengeCommand).rejects(sdkError(NotAuthorizedException))],
    ['Pre Token Generation refuses', () => cognitoMock.on(AdminRespondToAuthChallengeCommand).rejects(sdkError(InternalErrorException))],
    ['Cognito asks for another challenge', () => cognitoMock.on(AdminRespondToAuthChallengeCommand).resolves({ ChallengeName: 'CUSTOM_CHALLENGE', Session: 'again', ChallengeParameters: {} })],
    ['no ID token is issued', () => cognitoMock.on(AdminRespondToAuthChallengeCommand).resolves({ AuthenticationResult: { ...TARGET_TOKENS, IdToken: undefined } })],
    ['no access token is issued', () => cognitoMock.on(AdminRespondToAuthChallengeCommand).resolves({ AuthenticationResult: { ...TARGET_TOKENS, AccessToken: undefined } })],
    ['no expiry is returned', () => cognitoMock.on(AdminRespondToAuthChallengeCommand).resolves({ AuthenticationResult: { ...TARGET_TOKENS, ExpiresIn: undefined } })],
    ['the client secret cannot be read', () => cognitoMock.on(DescribeUserPoolClientCommand).rejects(sdkError(InternalErrorException))],
    ['the client has no secret', () => cognitoMock.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: DEDICATED_CLIENT_ID } })],
    ['the signing key cannot be read', () => {
      secretsMock.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: SDK_ERROR_TEXT, $metadata: {} }));
    }],
  ])('sign-in fails: %s', async (_, arrange) => {
    arrange();
    const { message } = await expectDenied(startRequest(), {
      code: BROKER_ERROR.INTERNAL_ERROR, denialReason: DENIAL_REASON.SIGN_IN_FAILED, audit: signInAudit,
    });
    expect(message).not.toContain(SDK_ERROR_TEXT);
  });

  it('the target lookup fails (LookupFailed)', async () => {
    cognitoMock.on(AdminGetUserCommand, { Username: TARGET.username }).rejects(sdkError(InternalErrorException));
    await expectDenied(startRequest(), {
      code: BROKER_ERROR.INTERNAL_ERROR, denialReason: DENIAL_REASON.LOOKUP_FAILED, audit: afterAuth({ requested: TARGET.username }),
    });
    expectNoSignIn();
  });

  it('the lookup by sub fails (LookupFailed)', async () => {
    cognitoMock.on(ListUsersCommand).rejects(sdkError(InternalErrorException));
    await expectDenied(startRequest({ target: TARGET.sub }), {
      code: BROKER_ERROR.INTERNAL_ERROR, denialReason: DENIAL_REASON.LOOKUP_FAILED, audit: afterAuth({ requested: TARGET.sub }),
    });
  });

  it('the admin lookup fails (LookupFailed), before any target is read', async () => {
    cognitoMock.on(AdminGetUserCommand, { Username: ADMIN.username }).rejects(sdkError(TooManyRequestsException));
    await expectDenied(startRequest(), {
      code: BROKER_ERROR.INTERNAL_ERROR,
      denialReason: DENIAL_REASON.LOOKUP_FAILED,
      audit: { action: 'start', target: { requested: TARGET.username }, reason: REASON },
    });
    expect(cognitoMock.commandCalls(AdminGetUserCommand).map((c) => c.args[0].input.Username)).toEqual([ADMIN.username]);
  });

  it.each<[string, Record<string, string | undefined>, boolean]>([
    ['no admin group', { ADMIN_GROUP: undefined }, false],
    ['malformed protected groups', { PROTECTED_GROUPS: '{"not":"a list"}' }, false],
    ['no user pool id', { USER_POOL_ID: undefined }, false],
    ['no strategy', { STRATEGY: undefined }, false],
    ['a strategy without a broker', { STRATEGY: STRATEGY.PRE_TOKEN_GENERATION }, false],
    ['no dedicated client id', { CLIENT_ID: undefined }, true],
  ])('missing or broken configuration (%s): Misconfigured', async (_, env, authenticated) => {
    setEnv({ ...CHALLENGE_ENV, ...env });
    const response = await handler(startRequest(), lambdaContext()) as Record<string, any>;

    expect(response).toEqual({ error: { code: BROKER_ERROR.INTERNAL_ERROR, message: expect.any(String) } });
    const events = logs.auditEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.MISCONFIGURED, source: SOURCE.BROKER });
    expect(events[0].actor).toEqual(authenticated ? { sub: ADMIN.sub, username: ADMIN.username } : undefined);
    expectNoSignIn();
  });

  it('an unexpected error (not a refusal) is an InternalError, audited as such, with nothing of its text', async () => {
    jest.spyOn(awsClients, 'awsClient').mockImplementation(() => {
      throw new Error(SDK_ERROR_TEXT);
    });
    await expectDenied(startRequest(), {
      code: BROKER_ERROR.INTERNAL_ERROR,
      denialReason: DENIAL_REASON.INTERNAL_ERROR,
      audit: { action: 'start', target: { requested: TARGET.username }, reason: REASON },
    });
  });

  it('all InternalErrors share one message, whatever failed', async () => {
    const messages = new Set<string>();
    for (const arrange of [
      () => cognitoMock.on(AdminInitiateAuthCommand).rejects(sdkError(NotAuthorizedException)),
      () => cognitoMock.on(AdminGetUserCommand, { Username: TARGET.username }).rejects(sdkError(InternalErrorException)),
      () => {
        setEnv({ ...CHALLENGE_ENV, ADMIN_GROUP: undefined });
      },
    ]) {
      arrange();
      const response = await handler(startRequest(), lambdaContext()) as Record<string, any>;
      expect(response.error.code).toBe(BROKER_ERROR.INTERNAL_ERROR);
      messages.add(response.error.message);
    }
    expect(messages.size).toBe(1);
  });
});
