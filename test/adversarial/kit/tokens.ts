import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'crypto';
import { EventEmitter } from 'events';
import https from 'https';
import { Readable } from 'stream';

/**
 * Real RS256 JWTs shaped like Cognito's access tokens, signed with a local key whose JWKS is
 * served to the bundled verifier through a fake of `https.request` (the only way into the
 * bundle: aws-jwt-verify is bundled, node's `https` is not).
 */

export const REGION = 'eu-west-1';
export const POOL_ID = 'eu-west-1_AdvErsar1';
/** The issuer Cognito writes into tokens of a pool with the ORIGINAL issuer configuration. */
export const CANONICAL_ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`;
/** The issuer of a pool with the UPDATED issuer configuration (API_IssuerConfigurationType). */
export const UPDATED_ISSUER = `https://issuer-cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`;
export const APP_CLIENT_ID = '4app1client0ordinary0signin';
export const DEDICATED_CLIENT_ID = '7kq2m1impersonation0dedic8';
export const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

/** An RSA key pair standing in for the pool's token-signing key. */
export class PoolSigningKey {
  readonly jwks: { keys: Array<Record<string, string>> };
  private readonly privateKey: KeyObject;

  constructor(readonly kid: string = `kid-${randomUUID()}`) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string; kty: string };
    this.jwks = { keys: [{ kid, alg: 'RS256', use: 'sig', kty: jwk.kty, n: jwk.n, e: jwk.e }] };
  }

  /** A compact JWS (RS256) over `payload`; `header` overrides the protected header. */
  sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const input = `${encode({ kid: this.kid, alg: 'RS256', ...header })}.${encode(payload)}`;
    return `${input}.${sign('RSA-SHA256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }
}

/** The claims of a Cognito access token from an API sign-in (as `InitiateAuth` issues them). */
export function accessTokenClaims(
  user: { sub: string; username: string; groups?: readonly string[] },
  overrides: Record<string, unknown> = {},
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Record<string, unknown> {
  return {
    sub: user.sub,
    ...(user.groups && user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {}),
    iss: CANONICAL_ISSUER,
    client_id: APP_CLIENT_ID,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    token_use: 'access',
    scope: ADMIN_SCOPE,
    auth_time: nowSeconds - 60,
    exp: nowSeconds + 3600,
    iat: nowSeconds - 60,
    jti: randomUUID(),
    username: user.username,
    ...overrides,
  };
}

/** Decodes a JWT's payload without verifying it (the fakes' view of a token). */
export function decodePayload(jwt: string): Record<string, any> | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null ? payload : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves JWKS documents by URL through a spy on `https.request`, and refuses anything else, so
 * no test reaches the network. Counts fetches per URL.
 */
export class JwksServer {
  readonly fetches = new Map<string, number>();
  private readonly documents = new Map<string, object>();

  /** Publishes `jwks` at `<issuer>/.well-known/jwks.json`. */
  publish(issuer: string, jwks: object): this {
    this.documents.set(`${issuer}/.well-known/jwks.json`, jwks);
    return this;
  }

  start(): this {
    jest.spyOn(https, 'request').mockImplementation(((uri: unknown, _options: unknown, callback?: (res: Readable) => void) => {
      const url = String(uri);
      this.fetches.set(url, (this.fetches.get(url) ?? 0) + 1);
      const document = this.documents.get(url);
      const request = new EventEmitter() as EventEmitter & { end: () => void; destroy: () => void; socket?: EventEmitter };
      request.destroy = () => undefined;
      request.end = () => {
        setImmediate(() => {
          if (!document) {
            request.emit('error', new Error(`no network in tests (${url})`));
            return;
          }
          const response = Readable.from([Buffer.from(JSON.stringify(document))]) as Readable & { statusCode: number; headers: object };
          response.statusCode = 200;
          response.headers = { 'content-type': 'application/json' };
          callback?.(response);
        });
      };
      return request;
    }) as unknown as typeof https.request);
    return this;
  }

  /** Every URL requested, whether served or not. */
  requested(): string[] {
    return [...this.fetches.keys()];
  }
}
