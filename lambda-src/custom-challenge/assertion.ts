import { createHmac, timingSafeEqual } from 'crypto';
import { CHALLENGE_FAILURE, LIMITS } from '../../src/private/contract';

/**
 * What the broker asserts when it answers a custom-auth challenge: this admin acts as this
 * target, through this client, for this one challenge, until `expiresAt`.
 */
export interface AssertionClaims {
  /** Cognito's one-time challenge nonce (made by the Create trigger, per auth session). */
  readonly nonce: string;
  readonly targetUsername: string;
  readonly actorSub: string;
  readonly actorUsername: string;
  readonly sessionId: string;
  /** The dedicated app client: an assertion is worthless through any other client. */
  readonly clientId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** The challenge answer (and ClientMetadata value): the claims plus their MAC, as JSON. */
export interface SignedAssertion extends AssertionClaims {
  readonly v: 1;
  readonly mac: string;
}

const DOMAIN = 'cdk-cognito-impersonation/assertion/v1';

/** An unambiguous encoding of the claims: JSON array, so no field can bleed into another. */
function message(c: AssertionClaims): string {
  return JSON.stringify([DOMAIN, c.nonce, c.targetUsername, c.actorSub, c.actorUsername, c.sessionId, c.clientId, c.expiresAt]);
}

function mac(key: string, claims: AssertionClaims): Buffer {
  return createHmac('sha256', key).update(message(claims)).digest();
}

/** Signs the claims with the current key (HMAC-SHA256). */
export function signAssertion(key: string, claims: AssertionClaims): SignedAssertion {
  return { v: 1, ...claims, mac: mac(key, claims).toString('base64url') };
}

/** Why an assertion was not accepted. */
export type AssertionFailure = typeof CHALLENGE_FAILURE.MALFORMED | typeof CHALLENGE_FAILURE.EXPIRED | typeof CHALLENGE_FAILURE.BAD_SIGNATURE;

/**
 * Checks a signed assertion against what the verifier knows for itself (the nonce it
 * issued, the user signing in, the client in use): those values come from Cognito's
 * event, never from the answer. Tries each key (current, then previous: rotation
 * window), compares in constant time, and checks the expiry.
 */
export function verifyAssertion(
  answer: unknown,
  expected: Pick<AssertionClaims, 'targetUsername' | 'clientId'> & { nonce?: string },
  keys: readonly string[],
  nowSeconds: number,
): { ok: true; assertion: SignedAssertion } | { ok: false; failure: AssertionFailure } {
  const parsed = parseSignedAssertion(answer);
  if (!parsed) return { ok: false, failure: CHALLENGE_FAILURE.MALFORMED };
  const claims: AssertionClaims = {
    nonce: expected.nonce ?? parsed.nonce,
    targetUsername: expected.targetUsername,
    clientId: expected.clientId,
    actorSub: parsed.actorSub,
    actorUsername: parsed.actorUsername,
    sessionId: parsed.sessionId,
    expiresAt: parsed.expiresAt,
  };
  // The answer's own copies of what the event knows must agree with it, and the MAC must be
  // in its one canonical encoding (the decoder also takes padding, skipped characters and
  // other trailing bits): an answer altered in any way is never accepted.
  const consistent = parsed.nonce === claims.nonce && parsed.targetUsername === claims.targetUsername
    && parsed.clientId === claims.clientId;
  const presented = Buffer.from(parsed.mac, 'base64url');
  const canonical = presented.toString('base64url') === parsed.mac;
  const matches = consistent && canonical && keys.some((key) => {
    const computed = mac(key, claims);
    return presented.length === computed.length && timingSafeEqual(presented, computed);
  });
  if (!matches) return { ok: false, failure: CHALLENGE_FAILURE.BAD_SIGNATURE };
  // Checked after the MAC, so an attacker learns nothing about expiry handling from forgeries.
  if (parsed.expiresAt < nowSeconds || parsed.expiresAt > nowSeconds + LIMITS.ASSERTION_LIFETIME_SECONDS + 30) {
    return { ok: false, failure: CHALLENGE_FAILURE.EXPIRED };
  }
  return { ok: true, assertion: { ...parsed, ...claims, v: 1, mac: parsed.mac } };
}

// Cognito's username pattern ([\p{L}\p{M}\p{S}\p{N}\p{P}]+): Unicode letters, marks, symbols, numbers
// and punctuation, so that non-ASCII usernames can be impersonated; never whitespace or control characters.
const FIELD = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,256}$/u;

/** Parses an answer (JSON string or object) into a SignedAssertion, or undefined. */
export function parseSignedAssertion(answer: unknown): SignedAssertion | undefined {
  let value: any = answer;
  if (typeof answer === 'string') {
    if (answer.length > 4096) return undefined;
    try {
      value = JSON.parse(answer);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null || value.v !== 1) return undefined;
  const strings = ['nonce', 'targetUsername', 'actorSub', 'actorUsername', 'sessionId', 'clientId', 'mac'];
  for (const field of strings) {
    if (typeof value[field] !== 'string' || !FIELD.test(value[field])) return undefined;
  }
  if (!Number.isSafeInteger(value.expiresAt)) return undefined;
  return {
    v: 1,
    nonce: value.nonce,
    targetUsername: value.targetUsername,
    actorSub: value.actorSub,
    actorUsername: value.actorUsername,
    sessionId: value.sessionId,
    clientId: value.clientId,
    expiresAt: value.expiresAt,
    mac: value.mac,
  };
}
