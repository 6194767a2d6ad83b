import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type DescribeSecretCommandInput,
  type GetSecretValueCommandInput,
  type PutSecretValueCommandInput,
  type SecretsManagerClient,
  type UpdateSecretVersionStageCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type {
  Context,
  CreateAuthChallengeTriggerEvent,
  DefineAuthChallengeTriggerEvent,
  VerifyAuthChallengeResponseTriggerEvent,
} from 'aws-lambda';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { ADMIN, ADMIN_GROUP, CLIENT_ID, DEFAULT_ENV, REGION, REQUEST_ID, TARGET, USER_POOL_ID } from './fixtures';
import { signAssertion, type AssertionClaims } from '../../lambda-src/custom-challenge/assertion';
import { AUDIT_EVENT, LIMITS, STRATEGY } from '../../src/private/contract';

/**
 * Fixtures of the customChallenge strategy's handler tests: the dedicated client, the
 * signing-key secret (a small stateful fake of Secrets Manager), trigger events, and an
 * RSA-signed Cognito access token issuer for the broker.
 */

/** The construct's dedicated impersonation app client (an id in Cognito's format). */
export const DEDICATED_CLIENT_ID = '7kq2m1impersonation0dedic8';
/** Another app client of the same pool: the application's ordinary sign-in client. */
export const OTHER_CLIENT_ID = CLIENT_ID;
/** The dedicated client's secret, as DescribeUserPoolClient returns it. */
export const DEDICATED_CLIENT_SECRET = 'dedicated-client-secret-1q2w3e4r5t6y7u8i9o0p1q2w3e4r5t6y7u8i9o0p1q2w3e';
export const CLIENT_ID_PARAMETER = '/cdk-cognito-impersonation/TestStack/Impersonation/client-id';
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ImpersonationSigningKey-AbCdEf';
export const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;

/** Two signing keys as the rotation function makes them: 32 random bytes, base64. */
export const KEY_1 = randomBytes(32).toString('base64');
export const KEY_2 = randomBytes(32).toString('base64');
/** A key of the right shape that the secret never held. */
export const UNKNOWN_KEY = randomBytes(32).toString('base64');

/** The secret's value for a key. */
export function keyValue(key: string): string {
  return JSON.stringify({ key });
}

/** Another customer of the pool. */
export const OTHER_TARGET = {
  sub: '33333333-aaaa-4bbb-8ccc-000000000003',
  username: 'carol.customer',
} as const;

/** The environment of the customChallenge functions, on top of the defaults. */
export const CHALLENGE_ENV = {
  ...DEFAULT_ENV,
  STRATEGY: STRATEGY.CUSTOM_CHALLENGE,
  USER_POOL_ID: USER_POOL_ID,
  CLIENT_ID: DEDICATED_CLIENT_ID,
  CLIENT_ID_PARAMETER: CLIENT_ID_PARAMETER,
  SECRET_ARN: SECRET_ARN,
} as const;

/** The claims of an assertion for TARGET by ADMIN through the dedicated client, valid for a minute from `nowSeconds`. */
export function assertionClaims(
  nonce: string,
  overrides: Partial<AssertionClaims> = {},
  nowSeconds: number = Math.floor(Date.now() / 1000),
): AssertionClaims {
  return {
    nonce,
    targetUsername: TARGET.username,
    actorSub: ADMIN.sub,
    actorUsername: ADMIN.username,
    sessionId: '5f0c7d7e-9a51-4c1e-8d3a-2b6f4e1a9c10',
    clientId: DEDICATED_CLIENT_ID,
    expiresAt: nowSeconds + LIMITS.ASSERTION_LIFETIME_SECONDS,
    ...overrides,
  };
}

/** A signed assertion as the broker sends it (a JSON string). */
export function signedAnswer(key: string, nonce: string, overrides: Partial<AssertionClaims> = {}): string {
  return JSON.stringify(signAssertion(key, assertionClaims(nonce, overrides)));
}

/** A 256-bit base64url nonce, as the Create trigger makes it. */
export function newNonce(): string {
  return randomBytes(32).toString('base64url');
}

/** The SSM parameter holds the dedicated client's id (or `value`; `null`: the answer has no Parameter). */
export function parameterHolds(ssm: AwsClientStub<SSMClient>, value: string | null = DEDICATED_CLIENT_ID): void {
  ssm.on(GetParameterCommand, { Name: CLIENT_ID_PARAMETER }).resolves({
    $metadata: { httpStatusCode: 200 },
    Parameter: value === null ? undefined : { Name: CLIENT_ID_PARAMETER, Type: 'String', Value: value, Version: 1 },
  });
}

interface SecretVersion {
  /** `undefined` for the version Secrets Manager stages before createSecret has put a value. */
  value?: string;
  stages: string[];
}

/**
 * A stateful fake of one Secrets Manager secret with versions and staging labels, as far
 * as the signing-key cache and the rotation function use it (DescribeSecret,
 * GetSecretValue, PutSecretValue, UpdateSecretVersionStage), with Secrets Manager's rules:
 * a label is on at most one version; moving AWSCURRENT moves AWSPREVIOUS to the version
 * it left; a version without a value is not found; a token cannot be reused for another value.
 */
export class FakeSecret {
  readonly versions = new Map<string, SecretVersion>();
  rotationEnabled = true;

  constructor(readonly arn: string = SECRET_ARN, initialKey: string = KEY_1, initialVersion = 'version-0000-initial') {
    this.versions.set(initialVersion, { value: keyValue(initialKey), stages: ['AWSCURRENT'] });
  }

  /** Answers the mock's Secrets Manager calls from this secret. */
  install(mock: AwsClientStub<SecretsManagerClient>): void {
    mock.on(DescribeSecretCommand).callsFake((input: DescribeSecretCommandInput) => this.describe(input));
    mock.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => this.get(input));
    mock.on(PutSecretValueCommand).callsFake((input: PutSecretValueCommandInput) => this.put(input));
    mock.on(UpdateSecretVersionStageCommand).callsFake((input: UpdateSecretVersionStageCommandInput) => this.updateStage(input));
  }

  /** What Secrets Manager does when a rotation starts: a new version labelled AWSPENDING, no value yet. */
  beginRotation(token: string = randomUUID()): string {
    this.moveLabel('AWSPENDING', token);
    return token;
  }

  /** The key held by the version with `stage`, if any. */
  keyAt(stage: string): string | undefined {
    const version = [...this.versions.values()].find((v) => v.stages.includes(stage));
    return version?.value === undefined ? undefined : JSON.parse(version.value).key;
  }

  /** The version id that holds `stage`. */
  versionAt(stage: string): string | undefined {
    return [...this.versions.entries()].find(([, v]) => v.stages.includes(stage))?.[0];
  }

  private checkId(secretId: string | undefined): void {
    if (secretId !== this.arn) throw notFound('Secrets Manager can\'t find the specified secret.');
  }

  private describe(input: DescribeSecretCommandInput) {
    this.checkId(input.SecretId);
    const versionIdsToStages: Record<string, string[]> = {};
    for (const [id, v] of this.versions) {
      if (v.stages.length > 0) versionIdsToStages[id] = [...v.stages];
    }
    return { $metadata: {}, ARN: this.arn, Name: 'ImpersonationSigningKey', RotationEnabled: this.rotationEnabled, VersionIdsToStages: versionIdsToStages };
  }

  private get(input: GetSecretValueCommandInput) {
    this.checkId(input.SecretId);
    let id: string | undefined;
    if (input.VersionId) {
      id = input.VersionId;
      const v = this.versions.get(id);
      if (!v || (input.VersionStage && !v.stages.includes(input.VersionStage))) id = undefined;
    } else {
      id = this.versionAt(input.VersionStage ?? 'AWSCURRENT');
    }
    const version = id === undefined ? undefined : this.versions.get(id);
    if (!version || version.value === undefined) {
      throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${input.VersionStage}`);
    }
    return { $metadata: {}, ARN: this.arn, Name: 'ImpersonationSigningKey', VersionId: id, SecretString: version.value, VersionStages: [...version.stages] };
  }

  private put(input: PutSecretValueCommandInput) {
    this.checkId(input.SecretId);
    const token = input.ClientRequestToken!;
    const existing = this.versions.get(token);
    if (existing?.value !== undefined) {
      if (existing.value !== input.SecretString) {
        throw new ResourceExistsException({ message: 'A resource with the ID you requested already exists.', $metadata: {} });
      }
      return { $metadata: {}, ARN: this.arn, VersionId: token, VersionStages: [...existing.stages] };
    }
    this.versions.set(token, { value: input.SecretString, stages: existing?.stages ?? [] });
    for (const stage of input.VersionStages ?? ['AWSCURRENT']) this.moveLabel(stage, token);
    return { $metadata: {}, ARN: this.arn, VersionId: token, VersionStages: [...this.versions.get(token)!.stages] };
  }

  private updateStage(input: UpdateSecretVersionStageCommandInput) {
    this.checkId(input.SecretId);
    const stage = input.VersionStage!;
    const holder = this.versionAt(stage);
    if (holder !== undefined && holder !== input.MoveToVersionId && holder !== input.RemoveFromVersionId) {
      throw new InvalidParameterException({ message: `The staging label ${stage} is attached to version ${holder}; name it in RemoveFromVersionId.`, $metadata: {} });
    }
    if (!input.MoveToVersionId || !this.versions.has(input.MoveToVersionId)) throw notFound('no such version');
    this.moveLabel(stage, input.MoveToVersionId);
    if (stage === 'AWSCURRENT' && holder !== undefined && holder !== input.MoveToVersionId) {
      this.moveLabel('AWSPREVIOUS', holder);
    }
    return { $metadata: {}, ARN: this.arn, Name: 'ImpersonationSigningKey' };
  }

  private moveLabel(stage: string, to: string): void {
    for (const v of this.versions.values()) v.stages = v.stages.filter((s) => s !== stage);
    const target = this.versions.get(to) ?? { stages: [] };
    target.stages.push(stage);
    this.versions.set(to, target);
  }
}

function notFound(message: string): ResourceNotFoundException {
  return new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 400 } });
}

/** Runs the four steps of one rotation through a rotation handler, as Secrets Manager does. */
export async function rotate(
  secret: FakeSecret,
  handler: (event: { Step: string; SecretId: string; ClientRequestToken: string }, context: Context) => Promise<void>,
  context: Context,
  token: string = randomUUID(),
): Promise<string> {
  secret.beginRotation(token);
  for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
    await handler({ Step, SecretId: secret.arn, ClientRequestToken: token }, context);
  }
  return token;
}

// ---------------------------------------------------------------------------------------------
// Custom-auth trigger events

interface ChallengeEventOptions {
  readonly clientId?: string;
  readonly userName?: string;
  readonly sub?: string;
  readonly userNotFound?: boolean;
  readonly clientMetadata?: Record<string, string>;
}

function triggerCommon(options: ChallengeEventOptions) {
  return {
    version: '1',
    region: REGION,
    userPoolId: USER_POOL_ID,
    userName: options.userName ?? TARGET.username,
    callerContext: { awsSdkVersion: 'aws-sdk-js-3.1169.0', clientId: options.clientId ?? DEDICATED_CLIENT_ID },
  };
}

function targetAttributes(options: ChallengeEventOptions): Record<string, string> {
  if (options.userNotFound) return {};
  return {
    'sub': options.sub ?? TARGET.sub,
    'email': TARGET.email,
    'email_verified': 'true',
    'phone_number': TARGET.phoneNumber,
    'cognito:user_status': 'CONFIRMED',
  };
}

function optional(options: ChallengeEventOptions) {
  return {
    ...(options.userNotFound !== undefined ? { userNotFound: options.userNotFound } : {}),
    ...(options.clientMetadata !== undefined ? { clientMetadata: options.clientMetadata } : {}),
  };
}

/** A Define Auth Challenge event; `session` is empty (the first call) unless given. */
export function defineEvent(
  options: ChallengeEventOptions & { session?: DefineAuthChallengeTriggerEvent['request']['session'] } = {},
): DefineAuthChallengeTriggerEvent {
  return {
    ...triggerCommon(options),
    triggerSource: 'DefineAuthChallenge_Authentication',
    request: { userAttributes: targetAttributes(options), session: options.session ?? [], ...optional(options) },
    response: { challengeName: undefined, issueTokens: false, failAuthentication: false },
  };
}

/** A Create Auth Challenge event for the CUSTOM_CHALLENGE Define asked for. */
export function createEvent(options: ChallengeEventOptions & { challengeName?: string } = {}): CreateAuthChallengeTriggerEvent {
  return {
    ...triggerCommon(options),
    triggerSource: 'CreateAuthChallenge_Authentication',
    request: { userAttributes: targetAttributes(options), challengeName: options.challengeName ?? 'CUSTOM_CHALLENGE', session: [], ...optional(options) },
    response: { publicChallengeParameters: {}, privateChallengeParameters: {}, challengeMetadata: '' },
  };
}

/** A Verify Auth Challenge Response event carrying `answer` for the challenge whose private nonce is `nonce`. */
export function verifyEvent(
  answer: string,
  nonce: string | undefined,
  options: ChallengeEventOptions = {},
): VerifyAuthChallengeResponseTriggerEvent {
  return {
    ...triggerCommon(options),
    triggerSource: 'VerifyAuthChallengeResponse_Authentication',
    request: {
      userAttributes: targetAttributes(options),
      privateChallengeParameters: nonce === undefined ? {} : { nonce },
      challengeAnswer: answer,
      ...optional(options),
    },
    response: { answerCorrect: false },
  };
}

// ---------------------------------------------------------------------------------------------
// Cognito access tokens, signed with an RSA key whose JWKS the verifier is given

/** An RSA key pair standing in for the pool's token-signing key. */
export class TokenIssuer {
  /** The public key as Cognito publishes it (RS256, `kid`). */
  readonly jwks: Jwks;
  private readonly privateKey: KeyObject;

  constructor(readonly kid: string = 'pool-signing-key-1') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string; kty: string };
    this.jwks = { keys: [{ kid, alg: 'RS256', use: 'sig', kty: jwk.kty, n: jwk.n, e: jwk.e }] };
  }

  /** A JWT with this key (RS256, header `kid`), or with `header` overrides. */
  sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    return signJwt(this.privateKey, { kid: this.kid, alg: 'RS256', ...header }, payload);
  }
}

/** Signs a JWT (RS256) with `privateKey`. */
export function signJwt(privateKey: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/** The claims of the admin's Cognito access token (issued on the application's client). */
export function accessTokenClaims(overrides: Record<string, unknown> = {}, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    'sub': ADMIN.sub,
    'cognito:groups': [ADMIN_GROUP],
    'iss': ISSUER,
    'client_id': OTHER_CLIENT_ID,
    'origin_jti': randomUUID(),
    'event_id': randomUUID(),
    'token_use': 'access',
    'scope': 'aws.cognito.signin.user.admin',
    'auth_time': nowSeconds - 60,
    'exp': nowSeconds + 3600,
    'iat': nowSeconds - 60,
    'jti': randomUUID(),
    'username': ADMIN.username,
    ...overrides,
  };
}

/** Console spies: everything logged, and the audit events (in order). */
export interface ConsoleSpies {
  readonly info: jest.SpyInstance;
  readonly warn: jest.SpyInstance;
  readonly log: jest.SpyInstance;
  readonly error: jest.SpyInstance;
  readonly debug: jest.SpyInstance;
  /** Everything written to the console, as one string. */
  text(): string;
  /** Every audit event written (console.info and console.warn), in call order. */
  auditEvents(): Array<Record<string, any>>;
}

/** Silences and records console output; `jest.restoreAllMocks()` undoes it. */
export function spyConsole(): ConsoleSpies {
  const info = jest.spyOn(console, 'info').mockImplementation(() => {});
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  const error = jest.spyOn(console, 'error').mockImplementation(() => {});
  const debug = jest.spyOn(console, 'debug').mockImplementation(() => {});
  return {
    info,
    warn,
    log,
    error,
    debug,
    text: () => JSON.stringify([info, warn, log, error, debug].map((spy) => spy.mock.calls)),
    auditEvents: () => [info, warn]
      .flatMap((spy) => spy.mock.calls.map((args, i) => ({ order: spy.mock.invocationCallOrder[i], args })))
      .sort((a, b) => a.order - b.order)
      .map(({ args }) => {
        expect(args).toHaveLength(1);
        return args[0];
      }),
  };
}

/** The one `challenge.failed` audit event a refused custom-auth step writes. */
export function challengeFailedRecord(
  source: string,
  triggerSource: string,
  failureReason: string,
  overrides: { clientId?: string; target?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    schemaVersion: 1,
    time: expect.any(String),
    event: AUDIT_EVENT.CHALLENGE_FAILED,
    strategy: STRATEGY.CUSTOM_CHALLENGE,
    source,
    userPoolId: USER_POOL_ID,
    clientId: overrides.clientId ?? DEDICATED_CLIENT_ID,
    requestId: REQUEST_ID,
    triggerSource,
    target: overrides.target ?? { sub: TARGET.sub, username: TARGET.username },
    failureReason,
  };
}
