import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV, LIMITS } from '../../src/private/contract';
import { awsClient } from '../common/aws-clients';
import { cachedAsync, loadCount } from '../common/cache';
import { errorNameOf } from '../common/errors';

/** The HMAC keys in force: the current one signs; both verify during a rotation. */
export interface SigningKeys {
  readonly current: string;
  readonly previous?: string;
}

/** The cache slot of the keys. */
export const SIGNING_KEYS_SLOT = 'signing-keys';

/**
 * The signing keys, cached for IMPERSONATION_KEY_CACHE_SECONDS (default 5 minutes): a
 * secret is not fetched on every call (cost, latency), and a rotated key is picked up
 * within one cache period, which the previous key's validity covers.
 */
export async function signingKeys(now: number = Date.now()): Promise<SigningKeys> {
  const maxAgeMs = Number(process.env[ENV.KEY_CACHE_SECONDS] ?? LIMITS.DEFAULT_KEY_CACHE_SECONDS) * 1000;
  return cachedAsync(SIGNING_KEYS_SLOT, fetchSigningKeys, { maxAgeMs, now });
}

async function fetchSigningKeys(): Promise<SigningKeys> {
  const secretId = process.env[ENV.SECRET_ARN];
  if (!secretId) throw new Error(`${ENV.SECRET_ARN} is not set`);
  const client = awsClient(SecretsManagerClient);
  const [current, previous] = await Promise.all([
    readKey(client, secretId, 'AWSCURRENT'),
    readKey(client, secretId, 'AWSPREVIOUS').catch((err) => {
      // Before the first rotation there is no previous version.
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
