import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV, LIMITS } from '../../src/private/contract';
import { awsClient } from '../common/aws-clients';
import { cachedAsync, loadCount, refreshAsync } from '../common/cache';
import { onContainerReset } from '../common/container-state';
import { errorNameOf } from '../common/errors';

/** The HMAC keys in force: the current one signs; both verify during a rotation. */
export interface SigningKeys {
  readonly current: string;
  readonly previous?: string;
}

/** The cache slot of the keys. */
export const SIGNING_KEYS_SLOT = 'signing-keys';

/**
 * The signing keys, cached for IMPERSONATION_KEY_CACHE_SECONDS (default 60 seconds): a
 * secret is not fetched on every call (cost, latency), and a key an operator revoked (rotated
 * out, or dropped from AWSPREVIOUS) is accepted nowhere after one cache period.
 */
export async function signingKeys(now: number = Date.now()): Promise<SigningKeys> {
  const maxAgeMs = Number(process.env[ENV.KEY_CACHE_SECONDS] ?? LIMITS.DEFAULT_KEY_CACHE_SECONDS) * 1000;
  return cachedAsync(SIGNING_KEYS_SLOT, fetchSigningKeys, { maxAgeMs, now });
}

let lastRefresh = Number.NEGATIVE_INFINITY;
onContainerReset(() => { lastRefresh = Number.NEGATIVE_INFINITY; });

/**
 * Checks something against the keys and, when the cached keys fail it (`failedOnKeys`), once
 * more against fresh ones: a key rotated in since the cache was filled (an emergency rotation)
 * works at once. The refresh happens at most once per KEY_REFRESH_INTERVAL_SECONDS per
 * container, so forged answers cannot turn every request into a Secrets Manager call.
 */
export async function checkWithSigningKeys<T>(
  check: (keys: string[]) => T,
  failedOnKeys: (result: T) => boolean,
  now: number = Date.now(),
): Promise<T> {
  const result = check(verificationKeys(await signingKeys(now)));
  if (!failedOnKeys(result) || now - lastRefresh < LIMITS.KEY_REFRESH_INTERVAL_SECONDS * 1000) return result;
  lastRefresh = now;
  return check(verificationKeys(await refreshAsync(SIGNING_KEYS_SLOT, fetchSigningKeys, { now })));
}

async function fetchSigningKeys(): Promise<SigningKeys> {
  const secretId = process.env[ENV.SECRET_ARN];
  if (!secretId) throw new Error(`${ENV.SECRET_ARN} is not set`);
  const client = awsClient(SecretsManagerClient);
  const [current, previous] = await Promise.all([
    readKey(client, secretId, 'AWSCURRENT'),
    readKey(client, secretId, 'AWSPREVIOUS').catch((err) => {
      // Before the first rotation, or after the previous key was revoked, there is none.
      if (errorNameOf(err) === 'ResourceNotFoundException') return undefined;
      throw err;
    }),
  ]);
  return { current: current!, previous };
}

/** The keys as a list to verify with, current first. */
export function verificationKeys(keys: SigningKeys): string[] {
  return keys.previous && keys.previous !== keys.current ? [keys.current, keys.previous] : [keys.current];
}

async function readKey(sm: SecretsManagerClient, secretId: string, stage: string): Promise<string | undefined> {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
  return parseKey(out.SecretString);
}

/** The secret holds `{"key": "..."}`; a value without a usable key is an error, not an empty key. */
export function parseKey(secretString: string | undefined): string {
  let key: unknown;
  try {
    key = JSON.parse(secretString ?? '').key;
  } catch {
    key = undefined;
  }
  if (typeof key !== 'string' || key.length < 32) {
    throw new Error('the signing key secret does not hold a key of at least 32 characters');
  }
  return key;
}

/** For tests and benchmarks: how often the keys were fetched since the container (state) started. */
export function signingKeyFetches(): number {
  return loadCount(SIGNING_KEYS_SLOT);
}
