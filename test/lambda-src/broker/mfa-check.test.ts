import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminListUserAuthEventsCommand,
  AdminRespondToAuthChallengeCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  InternalErrorException,
  ListUsersCommand,
  TooManyRequestsException,
  UserNotFoundException,
  UserPoolAddOnNotEnabledException,
  type AuthEventType,
} from '@aws-sdk/client-cognito-identity-provider';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { MFA_AUTH_EVENTS, MFA_SIGN_IN_WINDOW_SECONDS } from '../../../lambda-src/broker/mfa-check';
import { handler } from '../../../lambda-src/broker.lambda';
import { AUDIT_EVENT, BROKER_ERROR, DENIAL_REASON } from '../../../src/private/contract';
import { CHALLENGES, authEvent } from '../fixtures/auth-events';
import {
  CHALLENGE_ENV,
  DEDICATED_CLIENT_ID,
  DEDICATED_CLIENT_SECRET,
  FakeSecret,
  KEY_1,
  SECRET_ARN,
  TokenIssuer,
  accessTokenClaims,
  getUserAnswersForToken,
} from '../fixtures/challenge';
import { ADMIN, ADMIN_GROUP, REASON, TARGET, USER_POOL_ID, adminGetUserOutput, groupsPage, lambdaContext } from '../fixtures/common';
import { handlerTest } from '../fixtures/handler-test';

/**
 * requireAdminMfa (issue 14, item 2): the customChallenge broker's `start` asks the pool
 * (AdminListUserAuthEvents) whether the sign-in of the admin's access token passed MFA.
 */

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const secretsMock = mockClient(SecretsManagerClient);
const ssmMock = mockClient(SSMClient);

const issuer = new TokenIssuer();
const { logs, setEnv } = handlerTest({ mocks: [cognitoMock, secretsMock, ssmMock], env: { ...CHALLENGE_ENV, REQUIRE_ADMIN_MFA: 'true' }, trust: issuer });

const NOW = Math.floor(Date.now() / 1000);
/** The admin's sign-in: tokens issued (auth_time) two minutes ago. */
const AUTH_TIME = NOW - 120;
const { before: BEFORE, after: AFTER } = MFA_SIGN_IN_WINDOW_SECONDS;

beforeEach(() => {
  getUserAnswersForToken(cognitoMock);
  new FakeSecret(SECRET_ARN, KEY_1).install(secretsMock);
  for (const [user, groups] of [[ADMIN, [ADMIN_GROUP]], [TARGET, ['customers']]] as const) {
    cognitoMock.on(AdminGetUserCommand, { UserPoolId: USER_POOL_ID, Username: user.username })
      .resolves(adminGetUserOutput({ username: user.username, sub: user.sub, enabled: true }));
    cognitoMock.on(AdminListGroupsForUserCommand, { UserPoolId: USER_POOL_ID, Username: user.username }).resolves(groupsPage([...groups]));
  }
  cognitoMock.on(ListUsersCommand).resolves({ Users: [] });
  cognitoMock.on(ListUsersCommand, { Filter: `sub = "${TARGET.sub}"` }).resolves({ Users: [{ Username: TARGET.username }] });
  cognitoMock.on(DescribeUserPoolClientCommand).resolves({
    UserPoolClient: { UserPoolId: USER_POOL_ID, ClientId: DEDICATED_CLIENT_ID, ClientSecret: DEDICATED_CLIENT_SECRET },
  });
  cognitoMock.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'CUSTOM_CHALLENGE', Session: 'session', ChallengeParameters: { nonce: 'bm9uY2U' } });
  cognitoMock.on(AdminRespondToAuthChallengeCommand).resolves({
    AuthenticationResult: { IdToken: 'id.token.x', AccessToken: 'access.token.x', RefreshToken: 'refresh', ExpiresIn: 900, TokenType: 'Bearer' },
  });
});

/** The pool's answer: the admin's latest auth events. */
function poolReports(...events: AuthEventType[]): void {
  cognitoMock.on(AdminListUserAuthEventsCommand).resolves({ AuthEvents: events });
}

function start(claims: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const accessToken = issuer.sign(accessTokenClaims({ auth_time: AUTH_TIME, iat: NOW - 60, ...claims }));
  return handler({ action: 'start', accessToken, target: TARGET.username, reason: REASON }, lambdaContext()) as Promise<Record<string, any>>;
}

const eventCalls = () => cognitoMock.commandCalls(AdminListUserAuthEventsCommand);
const started = () => cognitoMock.commandCalls(AdminInitiateAuthCommand).length > 0;

/** Granted: the target's tokens, one `impersonation.granted`, after one look at the admin's events. */
function expectStarted(response: Record<string, any>): void {
  expect(response.error).toBeUndefined();
  expect(response.accessToken).toBe('access.token.x');
  expect(started()).toBe(true);
  expect(eventCalls().map((c) => c.args[0].input)).toEqual([{ UserPoolId: USER_POOL_ID, Username: ADMIN.username, MaxResults: MFA_AUTH_EVENTS }]);
  expect(logs.auditEvents()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.GRANTED })]);
}

/** Refused before anything started, with the broker error and one audited denial for the admin. */
function expectRefused(response: Record<string, any>, denialReason: string, code: string = BROKER_ERROR.SIGN_IN_AGAIN): void {
  expect(response).toEqual({ error: { code, message: expect.any(String) } });
  expect(started()).toBe(false);
  expect(logs.auditEvents()).toEqual([expect.objectContaining({
    event: AUDIT_EVENT.DENIED,
    denialReason,
    actor: { sub: ADMIN.sub, username: ADMIN.username },
    action: 'start',
  })]);
}

describe('a sign-in that passed MFA starts', () => {
  test('password and MFA, moments before the tokens were issued', async () => {
    poolReports(authEvent(AUTH_TIME - 20));
    expectStarted(await start());
  });

  test.each([
    ['created as early as the window allows', AUTH_TIME - BEFORE],
    ['created as late as the window allows', AUTH_TIME + AFTER],
  ])('%s', async (_name, at) => {
    poolReports(authEvent(at));
    expectStarted(await start());
  });

  test('older events of the admin (failed sign-ins, earlier sessions) do not matter', async () => {
    poolReports(
      authEvent(AUTH_TIME - 10),
      authEvent(AUTH_TIME - 40, { EventResponse: 'Fail', ChallengeResponses: [{ ChallengeName: 'Password', ChallengeResponse: 'Failure' }] }),
      authEvent(AUTH_TIME - 86_400, { ChallengeResponses: [...CHALLENGES.PASSWORD] }),
    );
    expectStarted(await start());
  });
});

describe('refused with MfaRequired (broker error SignInAgain): nothing starts', () => {
  test('a sign-in with the password only; the message says to sign in again with MFA', async () => {
    poolReports(authEvent(AUTH_TIME - 20, { ChallengeResponses: [...CHALLENGES.PASSWORD] }));
    const response = await start();
    expectRefused(response, DENIAL_REASON.MFA_REQUIRED);
    expect(response.error.message).toMatch(/needs a sign-in with MFA.*Sign in again with MFA\.$/);
  });

  // Each event would count if its rule were dropped: the challenge's result, the event's
  // result, its type, and the two ends of the window.
  test.each([
    ['MFA was asked and failed', authEvent(AUTH_TIME - 20, { ChallengeResponses: [...CHALLENGES.MFA_FAILED] })],
    ['the MFA sign-in did not pass', authEvent(AUTH_TIME - 20, { EventResponse: 'Fail' })],
    ['the MFA sign-in is still in progress', authEvent(AUTH_TIME - 20, { EventResponse: 'InProgress' })],
    ['the event with MFA is not a sign-in', authEvent(AUTH_TIME - 20, { EventType: 'ForgotPassword' })],
    ['the MFA sign-in began more than 15 minutes before the tokens', authEvent(AUTH_TIME - BEFORE - 1)],
    ['the MFA sign-in began more than a minute after the tokens (another sign-in)', authEvent(AUTH_TIME + AFTER + 1)],
    ['the event has no date', authEvent(AUTH_TIME - 20, { CreationDate: undefined })],
  ])('%s', async (_name, event) => {
    poolReports(event);
    expectRefused(await start(), DENIAL_REASON.MFA_REQUIRED);
  });

  test.each([
    ['newest first', [false, true]],
    ['oldest first', [true, false]],
  ])('the latest sign-in counts: a password-only sign-in is not hidden by an earlier one with MFA (%s)', async (_name, order) => {
    const events = [authEvent(AUTH_TIME - 600), authEvent(AUTH_TIME - 5, { ChallengeResponses: [...CHALLENGES.PASSWORD] })];
    poolReports(...(order[0] ? events : [...events].reverse()));
    expectRefused(await start(), DENIAL_REASON.MFA_REQUIRED);
  });

  test('the pool reports no events for the admin', async () => {
    poolReports();
    expectRefused(await start(), DENIAL_REASON.MFA_REQUIRED);
  });

  test('the pool answers without AuthEvents', async () => {
    cognitoMock.on(AdminListUserAuthEventsCommand).resolves({});
    expectRefused(await start(), DENIAL_REASON.MFA_REQUIRED);
  });

  test.each([
    ['no auth_time', undefined],
    ['a string auth_time', String(AUTH_TIME)],
  ])('a token with %s, without asking the pool', async (_name, authTime) => {
    poolReports(authEvent(AUTH_TIME - 20));
    expectRefused(await start({ auth_time: authTime }), DENIAL_REASON.MFA_REQUIRED);
    expect(eventCalls()).toHaveLength(0);
  });
});

describe('the pool cannot answer: refused (fail closed)', () => {
  test('threat protection is not enabled: Misconfigured, every start refused', async () => {
    cognitoMock.on(AdminListUserAuthEventsCommand).rejects(new UserPoolAddOnNotEnabledException({
      message: 'AdvancedSecurityMode is not enabled for the user pool', $metadata: { httpStatusCode: 400 },
    }));
    expectRefused(await start(), DENIAL_REASON.MISCONFIGURED, BROKER_ERROR.INTERNAL_ERROR);
  });

  test.each([
    ['throttled', new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } })],
    ['an internal error', new InternalErrorException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } })],
    ['the user vanished', new UserNotFoundException({ message: 'User does not exist.', $metadata: { httpStatusCode: 400 } })],
    ['not allowed (IAM)', Object.assign(new Error('not authorized to perform: cognito-idp:AdminListUserAuthEvents'), { name: 'AccessDeniedException' })],
  ])('%s: LookupFailed', async (_name, err) => {
    cognitoMock.on(AdminListUserAuthEventsCommand).rejects(err);
    expectRefused(await start(), DENIAL_REASON.LOOKUP_FAILED, BROKER_ERROR.INTERNAL_ERROR);
    expect(logs.text()).not.toContain(err.message);
  });
});

describe('order and configuration', () => {
  test('without the option, the pool is never asked (opt-in)', async () => {
    setEnv({ ...CHALLENGE_ENV });
    poolReports(authEvent(AUTH_TIME - 20, { ChallengeResponses: [...CHALLENGES.PASSWORD] }));
    const response = await start();
    expect(response.error).toBeUndefined();
    expect(eventCalls()).toHaveLength(0);
  });

  test('the admin is authenticated first: a non-admin learns only that they are not an admin', async () => {
    cognitoMock.on(AdminListGroupsForUserCommand, { UserPoolId: USER_POOL_ID, Username: ADMIN.username }).resolves(groupsPage(['customers']));
    poolReports(authEvent(AUTH_TIME - 20, { ChallengeResponses: [...CHALLENGES.PASSWORD] }));
    expectRefused(await start(), DENIAL_REASON.NOT_ADMIN, BROKER_ERROR.FORBIDDEN);
    expect(eventCalls()).toHaveLength(0);
  });

  test('with maxAdminAuthAge, a sign-in too old is refused for its age first, without asking the pool', async () => {
    setEnv({ ...CHALLENGE_ENV, REQUIRE_ADMIN_MFA: 'true', MAX_ADMIN_AUTH_AGE_SECONDS: '60' });
    poolReports(authEvent(AUTH_TIME - 20));
    expectRefused(await start(), DENIAL_REASON.SIGN_IN_TOO_OLD);
    expect(eventCalls()).toHaveLength(0);
  });

  test.each(['false', 'TRUE', '1', ''])('a flag the construct never writes (%j) refuses every start: Misconfigured', async (value) => {
    setEnv({ ...CHALLENGE_ENV, REQUIRE_ADMIN_MFA: value });
    poolReports(authEvent(AUTH_TIME - 20));
    const response = await start();
    expect(response).toEqual({ error: { code: BROKER_ERROR.INTERNAL_ERROR, message: expect.any(String) } });
    expect(cognitoMock.calls()).toHaveLength(0);
    expect(logs.auditEvents()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.MISCONFIGURED })]);
  });
});
