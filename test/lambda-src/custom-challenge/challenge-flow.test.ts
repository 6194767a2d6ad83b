/**
 * The customChallenge strategy end to end, with the real handlers chained as Cognito chains
 * them. A small fake of the user pool (behind aws-sdk-client-mock's `callsFake`) runs the
 * custom-auth state machine:
 *
 *   AdminInitiateAuth / InitiateAuth (CUSTOM_AUTH):   Define -> Create            (no ClientMetadata)
 *   AdminRespondToAuthChallenge / RespondToAuthChallenge:
 *                                                    Verify -> Define -> Pre Token Generation
 *                                                    (with the request's ClientMetadata)
 *   InitiateAuth (REFRESH_TOKEN_AUTH):               Pre Token Generation         (no ClientMetadata)
 *
 * following COGNITO_FACTS.md: InitiateAuth passes ClientMetadata to none of these triggers;
 * RespondToAuthChallenge passes it to Define, Create, Verify and Pre Token Generation. SSM
 * (the dedicated client's id) and Secrets Manager (the signing key, rotated here by the real
 * rotation function) are mocked. Tokens are RS256 JWTs signed with a test key whose JWKS the
 * broker's verifier is given.
 */
import { createHmac, randomUUID } from 'crypto';
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRespondToAuthChallengeCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  InitiateAuthCommand,
  InvalidParameterException,
  ListUsersCommand,
  NotAuthorizedException,
  ResourceNotFoundException,
  RespondToAuthChallengeCommand,
  UserLambdaValidationException,
  UserNotFoundException,
  type AdminInitiateAuthCommandInput,
  type AdminRespondToAuthChallengeCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { accessTokenVerifier } from '../../../lambda-src/broker/admin-auth';
import { handler as brokerHandler } from '../../../lambda-src/broker.lambda';
import { handler as createHandler } from '../../../lambda-src/create-auth-challenge.lambda';
import { signAssertion, verifyAssertion } from '../../../lambda-src/custom-challenge/assertion';
import { signingKeyFetches } from '../../../lambda-src/custom-challenge/signing-keys';
import { handler as defineHandler } from '../../../lambda-src/define-auth-challenge.lambda';
import { handler as preTokenHandler } from '../../../lambda-src/pre-token-generation.lambda';
import { handler as rotateHandler } from '../../../lambda-src/rotate-key.lambda';
import { handler as verifyHandler } from '../../../lambda-src/verify-auth-challenge.lambda';
import { ASSERTION_METADATA_KEY, AUDIT_EVENT, BROKER_ERROR, CHALLENGE_FAILURE, DENIAL_REASON, SOURCE } from '../../../src/private/contract';
import {
  CHALLENGE_ENV,
  DEDICATED_CLIENT_ID,
  DEDICATED_CLIENT_SECRET,
  FakeSecret,
  ISSUER,
  KEY_1,
  OTHER_CLIENT_ID,
  OTHER_TARGET,
  SECRET_ARN,
  TokenIssuer,
  UNKNOWN_KEY,
  accessTokenClaims,
  assertionClaims,
  parameterHolds,
  rotate,
} from '../fixtures/challenge';
import { ADMIN, ADMIN_GROUP, REASON, REGION, TARGET, USER_POOL_ID, UUID, lambdaContext } from '../fixtures/common';
import { handlerTest } from '../fixtures/handler-test';

// ---------------------------------------------------------------------------------------------
// A fake user pool that runs the real triggers

interface PoolUser {
  readonly username: string;
  readonly sub: string;
  readonly groups: string[];
  readonly password: string;
  readonly enabled: boolean;
}

interface PoolClient {
  readonly clientId: string;
  readonly secret?: string;
  readonly flows: readonly string[];
}

interface AuthSession {
  readonly kind: 'custom' | 'password';
  readonly username: string;
  readonly clientId: string;
  readonly userNotFound: boolean;
  readonly privateChallengeParameters?: Record<string, string>;
  readonly challengeMetadata?: string;
  readonly history: Array<{ challengeName: 'CUSTOM_CHALLENGE'; challengeResult: boolean; challengeMetadata?: string }>;
}

type TriggerName = 'define' | 'create' | 'verify' | 'preToken';

interface Invocation {
  readonly trigger: TriggerName;
  readonly clientId: string;
  readonly triggerSource: string;
  readonly clientMetadata?: Record<string, string>;
}

const TRIGGER_ERROR_NAME: Record<TriggerName, string> = {
  define: 'DefineAuthChallenge',
  create: 'CreateAuthChallenge',
  verify: 'VerifyAuthChallengeResponse',
  preToken: 'PreTokenGeneration',
};

class FakeUserPool {
  readonly invocations: Invocation[] = [];
  readonly issuedRefreshTokens = new Map<string, { username: string; clientId: string }>();
  /** Every challenge Create issued: for whom, through which client, with which public nonce. */
  readonly challenges: Array<{ username: string; clientId: string; nonce: string }> = [];
  /** Runs once, when the next custom challenge answer arrives, before Verify sees it. */
  beforeVerify?: () => Promise<void>;
  private readonly sessions = new Map<string, AuthSession>();

  constructor(
    private readonly issuer: TokenIssuer,
    private readonly users: Map<string, PoolUser>,
    private readonly clients: Map<string, PoolClient>,
  ) {}

  install(mock: AwsClientStub<CognitoIdentityProviderClient>): void {
    mock.on(AdminGetUserCommand).callsFake((input) => {
      const user = this.user(input.Username);
      return { Username: user.username, Enabled: user.enabled, UserStatus: 'CONFIRMED', UserAttributes: [{ Name: 'sub', Value: user.sub }] };
    });
    mock.on(AdminListGroupsForUserCommand).callsFake((input) => ({
      Groups: this.user(input.Username).groups.map((GroupName) => ({ GroupName, UserPoolId: USER_POOL_ID })),
    }));
    mock.on(ListUsersCommand).callsFake((input) => {
      const sub = /^sub = "(.*)"$/.exec(input.Filter ?? '')?.[1];
      return { Users: [...this.users.values()].filter((u) => u.sub === sub).map((u) => ({ Username: u.username })) };
    });
    mock.on(DescribeUserPoolClientCommand).callsFake((input) => {
      const client = this.client(input.ClientId);
      return { UserPoolClient: { UserPoolId: USER_POOL_ID, ClientId: client.clientId, ClientSecret: client.secret } };
    });
    mock.on(AdminInitiateAuthCommand).callsFake((input) => this.initiate(input));
    mock.on(InitiateAuthCommand).callsFake((input) => this.initiate({ ...input, UserPoolId: USER_POOL_ID }));
    mock.on(AdminRespondToAuthChallengeCommand).callsFake((input) => this.respond(input));
    mock.on(RespondToAuthChallengeCommand).callsFake((input) => this.respond({ ...input, UserPoolId: USER_POOL_ID }));
  }

  private user(username: string | undefined): PoolUser {
    const user = username === undefined ? undefined : this.users.get(username);
    if (!user) throw new UserNotFoundException({ message: 'User does not exist.', $metadata: {} });
    return user;
  }

  private client(clientId: string | undefined): PoolClient {
    const client = clientId === undefined ? undefined : this.clients.get(clientId);
    if (!client) throw new ResourceNotFoundException({ message: 'User pool client does not exist.', $metadata: {} });
    return client;
  }

  private checkSecretHash(client: PoolClient, username: string | undefined, hash: string | undefined): void {
    if (!client.secret) return;
    const expected = createHmac('sha256', client.secret).update(`${username}${client.clientId}`).digest('base64');
    if (hash !== expected) {
      throw new NotAuthorizedException({ message: `Client ${client.clientId} is configured with secret but SECRET_HASH was not received or is wrong`, $metadata: {} });
    }
  }

  private common(username: string, clientId: string) {
    return {
      version: '1',
      region: REGION,
      userPoolId: USER_POOL_ID,
      userName: username,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
    };
  }

  private attributes(user: PoolUser | undefined): Record<string, string> {
    return user ? { 'sub': user.sub, 'email': `${user.username}@example.com`, 'cognito:user_status': 'CONFIRMED' } : {};
  }

  /** Invokes a trigger as Cognito does: a thrown error fails the API call with the trigger's name. */
  private async invoke(trigger: TriggerName, handler: (event: any, context: Context) => Promise<unknown>, event: any): Promise<any> {
    const { callerContext, triggerSource, request } = event;
    this.invocations.push({ trigger, clientId: callerContext.clientId, triggerSource, clientMetadata: request.clientMetadata });
    try {
      return await handler(event, lambdaContext(randomUUID()));
    } catch (err) {
      throw new UserLambdaValidationException({ message: `${TRIGGER_ERROR_NAME[trigger]} failed with error ${(err as Error).message}.`, $metadata: {} });
    }
  }

  private async initiate(input: AdminInitiateAuthCommandInput) {
    const client = this.client(input.ClientId);
    const params = input.AuthParameters ?? {};
    if (!client.flows.includes(input.AuthFlow!)) {
      throw new InvalidParameterException({ message: 'Auth flow not enabled for this client', $metadata: {} });
    }
    switch (input.AuthFlow) {
      case 'CUSTOM_AUTH': {
        this.checkSecretHash(client, params.USERNAME, params.SECRET_HASH);
        const user = this.users.get(params.USERNAME ?? '');
        const username = user?.username ?? params.USERNAME ?? '';
        // InitiateAuth passes no ClientMetadata to Define or Create.
        const define = await this.invoke('define', defineHandler, {
          ...this.common(username, client.clientId),
          triggerSource: 'DefineAuthChallenge_Authentication',
          request: { userAttributes: this.attributes(user), session: [], userNotFound: !user },
          response: { challengeName: undefined, issueTokens: false, failAuthentication: false },
        });
        if (define.response.failAuthentication || define.response.challengeName !== 'CUSTOM_CHALLENGE') {
          throw new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} });
        }
        const created = await this.invoke('create', createHandler, {
          ...this.common(username, client.clientId),
          triggerSource: 'CreateAuthChallenge_Authentication',
          request: { userAttributes: this.attributes(user), challengeName: 'CUSTOM_CHALLENGE', session: [], userNotFound: !user },
          response: { publicChallengeParameters: {}, privateChallengeParameters: {}, challengeMetadata: '' },
        });
        this.challenges.push({ username, clientId: client.clientId, nonce: created.response.publicChallengeParameters.nonce });
        const session = `session-${randomUUID()}`;
        this.sessions.set(session, {
          kind: 'custom',
          username,
          clientId: client.clientId,
          userNotFound: !user,
          privateChallengeParameters: created.response.privateChallengeParameters,
          challengeMetadata: created.response.challengeMetadata,
          history: [],
        });
        return { ChallengeName: 'CUSTOM_CHALLENGE', Session: session, ChallengeParameters: { USERNAME: username, ...created.response.publicChallengeParameters } };
      }
      case 'USER_SRP_AUTH': {
        // Stands in for SRP: the password is checked when the PASSWORD_VERIFIER challenge is answered.
        const user = this.user(params.USERNAME);
        const session = `session-${randomUUID()}`;
        this.sessions.set(session, { kind: 'password', username: user.username, clientId: client.clientId, userNotFound: false, history: [] });
        return { ChallengeName: 'PASSWORD_VERIFIER', Session: session, ChallengeParameters: { USERNAME: user.username } };
      }
      case 'REFRESH_TOKEN_AUTH': {
        const issued = this.issuedRefreshTokens.get(params.REFRESH_TOKEN ?? '');
        if (!issued || issued.clientId !== client.clientId) throw new NotAuthorizedException({ message: 'Invalid Refresh Token', $metadata: {} });
        this.checkSecretHash(client, issued.username, params.SECRET_HASH);
        return this.issueTokens(this.user(issued.username), client, 'TokenGeneration_RefreshTokens', undefined, false);
      }
      default:
        throw new InvalidParameterException({ message: 'Unsupported auth flow', $metadata: {} });
    }
  }

  private async respond(input: AdminRespondToAuthChallengeCommandInput) {
    const session = this.sessions.get(input.Session ?? '');
    // A session string is single-use.
    this.sessions.delete(input.Session ?? '');
    if (!session || session.clientId !== input.ClientId) {
      throw new NotAuthorizedException({ message: 'Invalid session for the user.', $metadata: {} });
    }
    const client = this.client(input.ClientId);
    const responses = input.ChallengeResponses ?? {};
    this.checkSecretHash(client, responses.USERNAME, responses.SECRET_HASH);
    const user = this.users.get(session.username);
    const clientMetadata = input.ClientMetadata;

    if (session.kind === 'password' && input.ChallengeName === 'PASSWORD_VERIFIER') {
      if (!user || responses.PASSWORD !== user.password) throw new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} });
      return this.issueTokens(user, client, 'TokenGeneration_Authentication', clientMetadata, true);
    }
    if (session.kind !== 'custom' || input.ChallengeName !== 'CUSTOM_CHALLENGE') {
      throw new InvalidParameterException({ message: 'Invalid challenge', $metadata: {} });
    }
    const hook = this.beforeVerify;
    this.beforeVerify = undefined;
    await hook?.();
    const verified = await this.invoke('verify', verifyHandler, {
      ...this.common(session.username, client.clientId),
      triggerSource: 'VerifyAuthChallengeResponse_Authentication',
      request: {
        userAttributes: this.attributes(user),
        privateChallengeParameters: session.privateChallengeParameters ?? {},
        challengeAnswer: responses.ANSWER ?? '',
        userNotFound: session.userNotFound,
        ...(clientMetadata ? { clientMetadata } : {}),
      },
      response: { answerCorrect: false },
    });
    session.history.push({ challengeName: 'CUSTOM_CHALLENGE', challengeResult: verified.response.answerCorrect === true, challengeMetadata: session.challengeMetadata });
    const define = await this.invoke('define', defineHandler, {
      ...this.common(session.username, client.clientId),
      triggerSource: 'DefineAuthChallenge_Authentication',
      request: {
        userAttributes: this.attributes(user),
        session: [...session.history],
        userNotFound: session.userNotFound,
        ...(clientMetadata ? { clientMetadata } : {}),
      },
      response: { challengeName: undefined, issueTokens: false, failAuthentication: false },
    });
    if (define.response.failAuthentication || !define.response.issueTokens || !user) {
      throw new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} });
    }
    return this.issueTokens(user, client, 'TokenGeneration_Authentication', clientMetadata, true);
  }

  /** Runs Pre Token Generation (V2) and issues RS256 tokens with whatever claims it added. */
  private async issueTokens(
    user: PoolUser,
    client: PoolClient,
    triggerSource: string,
    clientMetadata: Record<string, string> | undefined,
    withRefresh: boolean,
  ) {
    const event = await this.invoke('preToken', preTokenHandler, {
      ...this.common(user.username, client.clientId),
      version: '2',
      triggerSource,
      request: {
        userAttributes: this.attributes(user),
        groupConfiguration: { groupsToOverride: [...user.groups], iamRolesToOverride: [], preferredRole: undefined },
        scopes: ['aws.cognito.signin.user.admin'],
        ...(clientMetadata ? { clientMetadata } : {}),
      },
      response: { claimsAndScopeOverrideDetails: null as any },
    });
    const details = event.response.claimsAndScopeOverrideDetails ?? {};
    const now = Math.floor(Date.now() / 1000);
    const common = { 'sub': user.sub, 'iss': ISSUER, 'auth_time': now, 'iat': now, 'exp': now + 900, 'cognito:groups': user.groups };
    const idToken = this.issuer.sign({
      ...common,
      'aud': client.clientId,
      'token_use': 'id',
      'cognito:username': user.username,
      ...details.idTokenGeneration?.claimsToAddOrOverride,
    });
    const accessToken = this.issuer.sign({
      ...common,
      client_id: client.clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: user.username,
      jti: randomUUID(),
      ...details.accessTokenGeneration?.claimsToAddOrOverride,
    });
    let refreshToken: string | undefined;
    if (withRefresh) {
      refreshToken = `refresh.${randomUUID()}`;
      this.issuedRefreshTokens.set(refreshToken, { username: user.username, clientId: client.clientId });
    }
    return {
      ChallengeParameters: {},
      AuthenticationResult: { IdToken: idToken, AccessToken: accessToken, RefreshToken: refreshToken, ExpiresIn: 900, TokenType: 'Bearer' },
    };
  }
}

// ---------------------------------------------------------------------------------------------

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const ssmMock = mockClient(SSMClient);
const secretsMock = mockClient(SecretsManagerClient);
const issuer = new TokenIssuer();
const { logs } = handlerTest({ mocks: [cognitoMock, ssmMock, secretsMock], env: { ...CHALLENGE_ENV, KEY_CACHE_SECONDS: '5' }, trust: issuer });
/** Any caller of the public Cognito API (an attacker, an app): the mock answers it from the fake pool. */
const publicApi = new CognitoIdentityProviderClient({ region: REGION });

const APP_CLIENT: PoolClient = { clientId: OTHER_CLIENT_ID, flows: ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'CUSTOM_AUTH'] };
const DEDICATED_CLIENT: PoolClient = { clientId: DEDICATED_CLIENT_ID, secret: DEDICATED_CLIENT_SECRET, flows: ['CUSTOM_AUTH', 'REFRESH_TOKEN_AUTH'] };
/** Another confidential client of the pool, allowing custom auth, whose secret an attacker knows. */
const THIRD_CLIENT: PoolClient = { clientId: '1abc2def3ghi4jkl5mno6pqr7s', secret: 'third-client-secret-known-to-the-attacker-0123456789', flows: ['CUSTOM_AUTH'] };

/** Cognito usernames may hold any Unicode letter, mark, symbol, number or punctuation (`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`). */
const UNICODE_USERNAME = 'zoë.müller-平田';

let pool: FakeUserPool;
let secret: FakeSecret;
let clock: number;

beforeEach(() => {
  clock = Date.now();
  jest.spyOn(Date, 'now').mockImplementation(() => clock);

  const users: PoolUser[] = [
    { username: ADMIN.username, sub: ADMIN.sub, groups: [ADMIN_GROUP], password: 'admin-password', enabled: true },
    { username: TARGET.username, sub: TARGET.sub, groups: ['customers'], password: 'bob-password', enabled: true },
    { username: OTHER_TARGET.username, sub: OTHER_TARGET.sub, groups: ['customers'], password: 'carol-password', enabled: true },
    { username: UNICODE_USERNAME, sub: '55555555-aaaa-4bbb-8ccc-000000000005', groups: ['customers'], password: 'zoe-password', enabled: true },
  ];
  pool = new FakeUserPool(
    issuer,
    new Map(users.map((u) => [u.username, u])),
    new Map([APP_CLIENT, DEDICATED_CLIENT, THIRD_CLIENT].map((c) => [c.clientId, c])),
  );
  pool.install(cognitoMock);
  parameterHolds(ssmMock);
  secret = new FakeSecret(SECRET_ARN, KEY_1);
  secret.install(secretsMock);
});

function claimsOf(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

function brokerRequest(target: string = TARGET.username): Record<string, unknown> {
  return { action: 'start', accessToken: issuer.sign(accessTokenClaims()), target, reason: REASON };
}

async function impersonate(target: string = TARGET.username): Promise<Record<string, any>> {
  return await brokerHandler(brokerRequest(target), lambdaContext()) as Record<string, any>;
}

/** The answers the broker sent Cognito, in order. */
function brokerAnswers(): string[] {
  return cognitoMock.commandCalls(AdminRespondToAuthChallengeCommand).map((c) => c.args[0].input.ChallengeResponses!.ANSWER!);
}

function secretHash(client: PoolClient, username: string): string {
  return createHmac('sha256', client.secret!).update(username + client.clientId).digest('base64');
}

/** An attacker's custom-auth attempt through the public API: start a session, answer it. */
async function attackerSignIn(
  client: PoolClient,
  username: string,
  answerFor: (nonce: string) => string,
  clientMetadata?: Record<string, string>,
) {
  const hash: Record<string, string> = client.secret ? { SECRET_HASH: secretHash(client, username) } : {};
  const started = await publicApi.send(new InitiateAuthCommand({
    ClientId: client.clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: username, ...hash },
  }));
  const answer = answerFor(started.ChallengeParameters!.nonce);
  return publicApi.send(new RespondToAuthChallengeCommand({
    ClientId: client.clientId,
    ChallengeName: 'CUSTOM_CHALLENGE',
    Session: started.Session,
    ChallengeResponses: { USERNAME: username, ANSWER: answer, ...hash },
    ClientMetadata: clientMetadata ?? { [ASSERTION_METADATA_KEY]: answer },
  }));
}

/** An answer for the session's nonce: a well-formed assertion signed with `key`, valid for a minute from the clock. */
function answerSignedWith(key: string, overrides: Parameters<typeof assertionClaims>[1] = {}): (nonce: string) => string {
  return (nonce) => JSON.stringify(signAssertion(key, assertionClaims(nonce, overrides, Math.floor(clock / 1000))));
}

function auditOf(type: string): Array<Record<string, any>> {
  return logs.auditEvents().filter((e) => e.event === type);
}

function tokensIssuedSince(mark: number): Invocation[] {
  return pool.invocations.slice(mark).filter((i) => i.trigger === 'preToken');
}

/** Nothing secret ever reaches a log: no key, answer, MAC, client secret or token. */
function expectNothingSecretLogged(extra: string[] = []): void {
  const text = logs.text();
  const keys = [...secret.versions.values()].flatMap((v) => (v.value ? [JSON.parse(v.value).key as string] : []));
  const answers = cognitoMock.calls().flatMap((c) => {
    const input = c.args[0].input as { ChallengeResponses?: Record<string, string> };
    const answer = input.ChallengeResponses?.ANSWER;
    if (!answer) return [];
    try {
      return [answer, JSON.parse(answer).mac as string];
    } catch {
      return [answer];
    }
  });
  for (const value of [...keys, ...answers, DEDICATED_CLIENT_SECRET, THIRD_CLIENT.secret!, ...extra].filter((v) => typeof v === 'string' && v.length > 8)) {
    expect(text).not.toContain(value);
  }
}

describe('the broker obtains tokens for the target, marked with act', () => {
  it('Define, Create, Verify, Define, Pre Token Generation: the target\'s own tokens, act naming the admin', async () => {
    const response = await impersonate();

    expect(response).toEqual({
      idToken: expect.any(String),
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      expiresAt: expect.any(String),
      sessionId: expect.stringMatching(UUID),
      target: { username: TARGET.username, sub: TARGET.sub },
    });
    const act = { sub: ADMIN.sub, username: ADMIN.username, sessionId: response.sessionId };
    const id = claimsOf(response.idToken);
    const access = claimsOf(response.accessToken);
    expect(id).toMatchObject({ 'sub': TARGET.sub, 'cognito:username': TARGET.username, 'aud': DEDICATED_CLIENT_ID, 'token_use': 'id', act });
    expect(access).toMatchObject({ sub: TARGET.sub, username: TARGET.username, client_id: DEDICATED_CLIENT_ID, token_use: 'access', act });
    // Real tokens of the pool: the pool's verifier accepts them.
    await expect(accessTokenVerifier(USER_POOL_ID).verify(response.accessToken)).resolves.toMatchObject({ sub: TARGET.sub, act });

    // The triggers, in Cognito's order; ClientMetadata only where Cognito passes it.
    expect(pool.invocations.map((i) => [i.trigger, i.clientId, i.clientMetadata !== undefined])).toEqual([
      ['define', DEDICATED_CLIENT_ID, false],
      ['create', DEDICATED_CLIENT_ID, false],
      ['verify', DEDICATED_CLIENT_ID, true],
      ['define', DEDICATED_CLIENT_ID, true],
      ['preToken', DEDICATED_CLIENT_ID, true],
    ]);

    // Cognito issued a refresh token; the broker dropped it.
    expect(pool.issuedRefreshTokens.size).toBe(1);
    const [refreshToken] = pool.issuedRefreshTokens.keys();
    expect(JSON.stringify(response)).not.toContain(refreshToken);

    // Audit: Pre Token Generation's token_issued, then the broker's granted, one session id.
    expect(logs.auditEvents().map((e) => [e.event, e.source, e.sessionId])).toEqual([
      [AUDIT_EVENT.TOKEN_ISSUED, SOURCE.PRE_TOKEN_GENERATION, response.sessionId],
      [AUDIT_EVENT.GRANTED, SOURCE.BROKER, response.sessionId],
    ]);
    expect(auditOf(AUDIT_EVENT.TOKEN_ISSUED)[0]).toMatchObject({
      actor: { sub: ADMIN.sub, username: ADMIN.username },
      target: { sub: TARGET.sub, username: TARGET.username },
    });
    expectNothingSecretLogged([response.idToken, response.accessToken, refreshToken]);
  });

  it('the target may be named by sub', async () => {
    const response = await impersonate(TARGET.sub);
    expect(claimsOf(response.accessToken)).toMatchObject({ sub: TARGET.sub, username: TARGET.username, act: { sub: ADMIN.sub } });
  });

  it('a target whose username is not ASCII (Cognito allows Unicode usernames)', async () => {
    const response = await impersonate(UNICODE_USERNAME);
    expect(response.target).toEqual({ username: UNICODE_USERNAME, sub: '55555555-aaaa-4bbb-8ccc-000000000005' });
    expect(claimsOf(response.accessToken)).toMatchObject({ username: UNICODE_USERNAME, act: { sub: ADMIN.sub, sessionId: response.sessionId } });
  });

  it('the refresh token Cognito issued cannot extend the impersonation: Pre Token Generation refuses the refresh', async () => {
    await impersonate();
    const [refreshToken] = pool.issuedRefreshTokens.keys();
    const mark = pool.invocations.length;

    await expect(publicApi.send(new InitiateAuthCommand({
      ClientId: DEDICATED_CLIENT_ID,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken, SECRET_HASH: secretHash(DEDICATED_CLIENT, TARGET.username) },
    }))).rejects.toThrow(new UserLambdaValidationException({
      message: `PreTokenGeneration failed with error Impersonation refused: ${DENIAL_REASON.REFRESH_NOT_ALLOWED}.`, $metadata: {},
    }));

    expect(tokensIssuedSince(mark).map((i) => i.triggerSource)).toEqual(['TokenGeneration_RefreshTokens']);
    expect(auditOf(AUDIT_EVENT.DENIED)).toEqual([
      expect.objectContaining({ denialReason: DENIAL_REASON.REFRESH_NOT_ALLOWED, clientId: DEDICATED_CLIENT_ID }),
    ]);
  });

  it('an impersonation token cannot start another impersonation', async () => {
    const first = await impersonate();
    const response = await brokerHandler({ action: 'start', accessToken: first.accessToken, target: OTHER_TARGET.username, reason: REASON }, lambdaContext());

    expect(response).toEqual({ error: { code: BROKER_ERROR.UNAUTHORIZED, message: expect.any(String) } });
    expect(brokerAnswers()).toHaveLength(1);
  });

  it('ordinary sign-ins of the pool are untouched: no act, no AWS call by the trigger, refresh works', async () => {
    const started = await publicApi.send(new InitiateAuthCommand({ ClientId: OTHER_CLIENT_ID, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: TARGET.username } }));
    const signedIn = await publicApi.send(new RespondToAuthChallengeCommand({
      ClientId: OTHER_CLIENT_ID,
      ChallengeName: 'PASSWORD_VERIFIER',
      Session: started.Session,
      ChallengeResponses: { USERNAME: TARGET.username, PASSWORD: 'bob-password' },
    }));
    expect(claimsOf(signedIn.AuthenticationResult!.AccessToken!)).not.toHaveProperty('act');
    expect(ssmMock.calls()).toHaveLength(0);
    expect(secretsMock.calls()).toHaveLength(0);

    const refreshed = await publicApi.send(new InitiateAuthCommand({
      ClientId: OTHER_CLIENT_ID, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: signedIn.AuthenticationResult!.RefreshToken! },
    }));
    expect(claimsOf(refreshed.AuthenticationResult!.IdToken!)).toMatchObject({ 'sub': TARGET.sub, 'cognito:username': TARGET.username });
    expect(claimsOf(refreshed.AuthenticationResult!.IdToken!)).not.toHaveProperty('act');
    expect(logs.auditEvents()).toEqual([]);
    // Custom-auth triggers never ran for these flows.
    expect(pool.invocations.map((i) => i.trigger)).toEqual(['preToken', 'preToken']);
  });
});

describe('key rotation while impersonations are in flight', () => {
  it('an assertion signed with the previous key still succeeds; new ones use the new key; two rotations later the old key is refused', async () => {
    // 1. Everyone has KEY_1 cached.
    await impersonate();
    expect(verifyAssertion(brokerAnswers()[0], expectedFor(0), [KEY_1], nowSeconds()).ok).toBe(true);

    // 2. The broker signs with its cached KEY_1; before Verify runs, the key is rotated and
    //    Verify's cache period has passed, so Verify and Pre Token Generation see KEY_2 current.
    clock += 3_000;
    pool.beforeVerify = async () => {
      await rotate(secret, rotateHandler, lambdaContext());
      clock += 3_000;
    };
    const inFlight = await impersonate();
    const key2 = secret.keyAt('AWSCURRENT')!;
    expect(key2).not.toBe(KEY_1);
    expect(secret.keyAt('AWSPREVIOUS')).toBe(KEY_1);
    const answer = brokerAnswers()[1];
    expect(verifyAssertion(answer, expectedFor(1), [KEY_1], nowSeconds()).ok).toBe(true);
    expect(verifyAssertion(answer, expectedFor(1), [key2], nowSeconds()).ok).toBe(false);
    expect(claimsOf(inFlight.accessToken).act).toEqual({ sub: ADMIN.sub, username: ADMIN.username, sessionId: inFlight.sessionId });
    expect(signingKeyFetches()).toBe(2);
    expect(auditOf(AUDIT_EVENT.KEY_ROTATED)).toHaveLength(1);

    // 3. A new impersonation signs with KEY_2.
    clock += 6_000;
    const next = await impersonate();
    expect(verifyAssertion(brokerAnswers()[2], expectedFor(2), [key2], nowSeconds()).ok).toBe(true);
    expect(claimsOf(next.idToken).act.sessionId).toBe(next.sessionId);

    // 4. After a second rotation KEY_1 is gone: an answer signed with it is refused.
    await rotate(secret, rotateHandler, lambdaContext());
    clock += 6_000;
    const mark = pool.invocations.length;
    await expect(attackerSignIn(DEDICATED_CLIENT, TARGET.username, answerSignedWith(KEY_1)))
      .rejects.toBeInstanceOf(NotAuthorizedException);
    expect(tokensIssuedSince(mark)).toEqual([]);
    expect(auditOf(AUDIT_EVENT.CHALLENGE_FAILED)).toEqual([expect.objectContaining({ failureReason: CHALLENGE_FAILURE.BAD_SIGNATURE })]);
    expect(auditOf(AUDIT_EVENT.GRANTED)).toHaveLength(3);
    expectNothingSecretLogged();
  });

  function nowSeconds(): number {
    return Math.floor(clock / 1000);
  }

  /** What Verify knew for the broker's n-th sign-in: the nonce Create issued for it. */
  function expectedFor(n: number) {
    const nonce = pool.challenges.filter((c) => c.clientId === DEDICATED_CLIENT_ID)[n].nonce;
    return { nonce, targetUsername: TARGET.username, clientId: DEDICATED_CLIENT_ID };
  }
});

describe('refused', () => {
  /** Expects no token to have been issued since `mark`, and exactly one challenge.failed event with `reason`. */
  function expectChallengeRefused(mark: number, reason: string, trigger: string = SOURCE.VERIFY_AUTH_CHALLENGE): void {
    expect(tokensIssuedSince(mark)).toEqual([]);
    const failed = auditOf(AUDIT_EVENT.CHALLENGE_FAILED);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ source: trigger, failureReason: reason });
    expect(auditOf(AUDIT_EVENT.TOKEN_ISSUED)).toHaveLength(0);
  }

  it('a forged answer, even from someone who knows the dedicated client\'s secret', async () => {
    const mark = pool.invocations.length;
    await expect(attackerSignIn(DEDICATED_CLIENT, TARGET.username, answerSignedWith(UNKNOWN_KEY)))
      .rejects.toThrow(new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} }));

    expectChallengeRefused(mark, CHALLENGE_FAILURE.BAD_SIGNATURE);
    expect(pool.invocations.slice(mark).map((i) => i.trigger)).toEqual(['define', 'create', 'verify', 'define']);
    expectNothingSecretLogged();
  });

  it.each<[string, string, string]>([
    ['a fixed password', 'impersonate-please', CHALLENGE_FAILURE.MALFORMED],
    ['an empty answer', '', CHALLENGE_FAILURE.MALFORMED],
    ['a JSON object with no MAC', JSON.stringify({ v: 1, targetUsername: TARGET.username }), CHALLENGE_FAILURE.MALFORMED],
  ])('a guessed answer: %s', async (_, guess, reason) => {
    const mark = pool.invocations.length;
    await expect(attackerSignIn(DEDICATED_CLIENT, TARGET.username, () => guess)).rejects.toBeInstanceOf(NotAuthorizedException);
    expectChallengeRefused(mark, reason);
  });

  it('an answer for another user: the broker\'s answer for bob, presented in a sign-in as carol', async () => {
    await impersonate();
    const [captured] = brokerAnswers();
    logs.info.mockClear();
    const mark = pool.invocations.length;

    await expect(attackerSignIn(DEDICATED_CLIENT, OTHER_TARGET.username, () => captured)).rejects.toBeInstanceOf(NotAuthorizedException);

    expectChallengeRefused(mark, CHALLENGE_FAILURE.BAD_SIGNATURE);
    expect(auditOf(AUDIT_EVENT.CHALLENGE_FAILED)[0].target).toEqual({ sub: OTHER_TARGET.sub, username: OTHER_TARGET.username });
  });

  it('an answer for another user, even one signed with the real key over this very session\'s nonce', async () => {
    const mark = pool.invocations.length;
    await expect(attackerSignIn(DEDICATED_CLIENT, OTHER_TARGET.username, answerSignedWith(KEY_1, { targetUsername: TARGET.username })))
      .rejects.toBeInstanceOf(NotAuthorizedException);
    expectChallengeRefused(mark, CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('a replayed answer: the broker\'s answer from an earlier session, against a new nonce, well within its expiry', async () => {
    await impersonate();
    const [captured] = brokerAnswers();
    const capturedExpiry = JSON.parse(captured).expiresAt;
    logs.info.mockClear();
    clock += 1_000;
    expect(Math.floor(clock / 1000)).toBeLessThan(capturedExpiry);
    const mark = pool.invocations.length;

    await expect(attackerSignIn(DEDICATED_CLIENT, TARGET.username, (nonce) => {
      expect(nonce).not.toBe(JSON.parse(captured).nonce);
      return captured;
    })).rejects.toBeInstanceOf(NotAuthorizedException);

    expectChallengeRefused(mark, CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('a replayed answer with its nonce field rewritten to the new nonce', async () => {
    await impersonate();
    const [captured] = brokerAnswers();
    logs.info.mockClear();
    const mark = pool.invocations.length;

    await expect(attackerSignIn(DEDICATED_CLIENT, TARGET.username, (nonce) => JSON.stringify({ ...JSON.parse(captured), nonce })))
      .rejects.toBeInstanceOf(NotAuthorizedException);

    expectChallengeRefused(mark, CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('the broker\'s Cognito session cannot be answered twice', async () => {
    await impersonate();
    const respond = cognitoMock.commandCalls(AdminRespondToAuthChallengeCommand)[0].args[0].input;
    const mark = pool.invocations.length;

    await expect(publicApi.send(new AdminRespondToAuthChallengeCommand(respond))).rejects.toBeInstanceOf(NotAuthorizedException);
    expect(pool.invocations.length).toBe(mark);
  });

  it.each<[string, PoolClient]>([
    ['the application\'s public client (custom auth enabled for passwordless)', APP_CLIENT],
    ['another confidential client whose secret the attacker knows', THIRD_CLIENT],
  ])('custom auth through any other client: %s', async (_, client) => {
    const mark = pool.invocations.length;

    await expect(attackerSignIn(client, TARGET.username, answerSignedWith(KEY_1, { clientId: client.clientId })))
      .rejects.toThrow(new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} }));

    // Define refuses at once: no challenge is created, no nonce issued.
    expect(pool.invocations.slice(mark).map((i) => i.trigger)).toEqual(['define']);
    expectChallengeRefused(mark, CHALLENGE_FAILURE.WRONG_CLIENT, SOURCE.DEFINE_AUTH_CHALLENGE);
  });

  it('a captured answer injected as ClientMetadata into an ordinary sign-in on another client: no token at all', async () => {
    await impersonate();
    const [captured] = brokerAnswers();
    logs.info.mockClear();
    const mark = pool.invocations.length;

    const started = await publicApi.send(new InitiateAuthCommand({ ClientId: OTHER_CLIENT_ID, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: TARGET.username } }));
    await expect(publicApi.send(new RespondToAuthChallengeCommand({
      ClientId: OTHER_CLIENT_ID,
      ChallengeName: 'PASSWORD_VERIFIER',
      Session: started.Session,
      ChallengeResponses: { USERNAME: TARGET.username, PASSWORD: 'bob-password' },
      ClientMetadata: { [ASSERTION_METADATA_KEY]: captured },
    }))).rejects.toThrow(new UserLambdaValidationException({
      message: `PreTokenGeneration failed with error Impersonation refused: ${DENIAL_REASON.ASSERTION_INVALID}.`, $metadata: {},
    }));

    expect(pool.invocations.slice(mark).map((i) => [i.trigger, i.clientId])).toEqual([['preToken', OTHER_CLIENT_ID]]);
    expect(auditOf(AUDIT_EVENT.DENIED)).toEqual([
      expect.objectContaining({ denialReason: DENIAL_REASON.ASSERTION_INVALID, clientId: OTHER_CLIENT_ID }),
    ]);
    expect(auditOf(AUDIT_EVENT.TOKEN_ISSUED)).toHaveLength(0);
  });

  it('an unknown user gets no challenge', async () => {
    const mark = pool.invocations.length;
    await expect(attackerSignIn(DEDICATED_CLIENT, 'nobody', () => 'x')).rejects.toBeInstanceOf(NotAuthorizedException);
    expect(pool.invocations.slice(mark).map((i) => i.trigger)).toEqual(['define']);
    expectChallengeRefused(mark, CHALLENGE_FAILURE.UNKNOWN_USER, SOURCE.DEFINE_AUTH_CHALLENGE);
  });

  it('without the dedicated client id (SSM unavailable), nothing is issued: fail closed', async () => {
    ssmMock.on(GetParameterCommand).rejects(new Error('SSM down'));
    const response = await impersonate();

    expect(response).toEqual({ error: { code: BROKER_ERROR.INTERNAL_ERROR, message: expect.any(String) } });
    expect(tokensIssuedSince(0)).toEqual([]);
    expect(auditOf(AUDIT_EVENT.CHALLENGE_FAILED)).toEqual([expect.objectContaining({ failureReason: CHALLENGE_FAILURE.UNAVAILABLE })]);
    expect(auditOf(AUDIT_EVENT.DENIED)).toEqual([expect.objectContaining({ source: SOURCE.BROKER, denialReason: DENIAL_REASON.SIGN_IN_FAILED })]);
  });
});
