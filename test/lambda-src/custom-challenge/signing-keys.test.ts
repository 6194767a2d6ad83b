import {
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { resetContainerState } from '../../../lambda-src/common/container-state';
import { parseKey, signingKeyFetches, signingKeys, verificationKeys } from '../../../lambda-src/custom-challenge/signing-keys';
import { LIMITS } from '../../../src/private/contract';
import { CHALLENGE_ENV, FakeSecret, KEY_1, KEY_2, SECRET_ARN, keyValue } from '../fixtures/challenge';
import { setImpersonationEnv } from '../fixtures/common';

const secretsMock = mockClient(SecretsManagerClient);
const T0 = 1_767_225_600_000;
let restoreEnv: () => void;

beforeEach(() => {
  secretsMock.reset();
  resetContainerState();
  restoreEnv = setImpersonationEnv(CHALLENGE_ENV);
});

afterEach(() => {
  restoreEnv();
});

afterAll(() => {
  secretsMock.restore();
});

function rotatedSecret(): FakeSecret {
  const secret = new FakeSecret(SECRET_ARN, KEY_1);
  secret.beginRotation('version-0001');
  // What a finished rotation leaves: KEY_2 current, KEY_1 previous.
  secret.versions.get('version-0001')!.value = keyValue(KEY_2);
  secret.versions.get('version-0001')!.stages = ['AWSCURRENT'];
  secret.versions.get('version-0000-initial')!.stages = ['AWSPREVIOUS'];
  return secret;
}

describe('signingKeys', () => {
  it('reads AWSCURRENT and AWSPREVIOUS of the configured secret', async () => {
    rotatedSecret().install(secretsMock);

    await expect(signingKeys(T0)).resolves.toEqual({ current: KEY_2, previous: KEY_1 });

    const calls = secretsMock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls).toEqual(expect.arrayContaining([
      { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' },
      { SecretId: SECRET_ARN, VersionStage: 'AWSPREVIOUS' },
    ]));
    expect(signingKeyFetches()).toBe(1);
  });

  it('before the first rotation there is no AWSPREVIOUS: only the current key', async () => {
    new FakeSecret(SECRET_ARN, KEY_1).install(secretsMock);

    const keys = await signingKeys(T0);

    expect(keys).toEqual({ current: KEY_1, previous: undefined });
    expect(verificationKeys(keys)).toEqual([KEY_1]);
  });

  it('serves 1,000 calls within the cache period from one fetch', async () => {
    rotatedSecret().install(secretsMock);

    for (let i = 0; i < 1000; i++) {
      await expect(signingKeys(T0 + i)).resolves.toEqual({ current: KEY_2, previous: KEY_1 });
    }

    expect(signingKeyFetches()).toBe(1);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('fetches again once the cache period (IMPERSONATION_KEY_CACHE_SECONDS) has passed, and sees a rotation', async () => {
    restoreEnv();
    restoreEnv = setImpersonationEnv({ ...CHALLENGE_ENV, KEY_CACHE_SECONDS: '60' });
    const secret = new FakeSecret(SECRET_ARN, KEY_1);
    secret.install(secretsMock);
    await expect(signingKeys(T0)).resolves.toEqual({ current: KEY_1, previous: undefined });

    // Rotated meanwhile; the cache still answers until 60 seconds have passed.
    rotatedSecret().install(secretsMock);
    await expect(signingKeys(T0 + 59_999)).resolves.toEqual({ current: KEY_1, previous: undefined });
    expect(signingKeyFetches()).toBe(1);

    await expect(signingKeys(T0 + 60_000)).resolves.toEqual({ current: KEY_2, previous: KEY_1 });
    expect(signingKeyFetches()).toBe(2);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(4);
  });

  it('caches for the default period when IMPERSONATION_KEY_CACHE_SECONDS is not set', async () => {
    new FakeSecret(SECRET_ARN, KEY_1).install(secretsMock);
    const ttl = LIMITS.DEFAULT_KEY_CACHE_SECONDS * 1000;

    await signingKeys(T0);
    await signingKeys(T0 + ttl - 1);
    expect(signingKeyFetches()).toBe(1);
    await signingKeys(T0 + ttl);
    expect(signingKeyFetches()).toBe(2);
  });

  it('with a cache period of 0, fetches on every call', async () => {
    restoreEnv();
    restoreEnv = setImpersonationEnv({ ...CHALLENGE_ENV, KEY_CACHE_SECONDS: '0' });
    new FakeSecret(SECRET_ARN, KEY_1).install(secretsMock);

    await signingKeys(T0);
    await signingKeys(T0);
    expect(signingKeyFetches()).toBe(2);
  });

  it.each<[string, string | undefined]>([
    ['not JSON', 'this is not json'],
    ['JSON without a key', JSON.stringify({ value: KEY_1 })],
    ['a key that is not a string', JSON.stringify({ key: 12345678901234567890 })],
    ['a key shorter than 32 characters', keyValue('too-short-key-31-characters-xxx')],
    ['an empty key', keyValue('')],
    ['no SecretString (a binary secret)', undefined],
  ])('refuses a current value that is %s, and caches nothing', async (_, value) => {
    secretsMock.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: value });
    secretsMock.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: keyValue(KEY_1) });

    await expect(signingKeys(T0)).rejects.toThrow('the signing key secret does not hold a key of at least 32 characters');
    expect(signingKeyFetches()).toBe(0);

    // Fixed: the next call fetches again instead of serving a cached failure.
    secretsMock.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: keyValue(KEY_2) });
    await expect(signingKeys(T0 + 1)).resolves.toEqual({ current: KEY_2, previous: KEY_1 });
  });

  it('refuses a malformed previous value too (never an empty or partial key)', async () => {
    secretsMock.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: keyValue(KEY_2) });
    secretsMock.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: '{}' });

    await expect(signingKeys(T0)).rejects.toThrow('does not hold a key');
  });

  it('propagates an SDK failure reading the current key', async () => {
    secretsMock.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' })
      .rejects(new InternalServiceError({ message: 'service unavailable', $metadata: {} }));
    secretsMock.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: keyValue(KEY_1) });

    await expect(signingKeys(T0)).rejects.toBeInstanceOf(InternalServiceError);
    expect(signingKeyFetches()).toBe(0);
  });

  it('propagates an SDK failure reading the previous key other than "not found"', async () => {
    secretsMock.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: keyValue(KEY_2) });
    secretsMock.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
      .rejects(new InternalServiceError({ message: 'service unavailable', $metadata: {} }));

    await expect(signingKeys(T0)).rejects.toBeInstanceOf(InternalServiceError);
  });

  it('a missing current version is an error, not "no key"', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));

    await expect(signingKeys(T0)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses to run without IMPERSONATION_SECRET_ARN, with no AWS call', async () => {
    restoreEnv();
    restoreEnv = setImpersonationEnv({ ...CHALLENGE_ENV, SECRET_ARN: undefined });

    await expect(signingKeys(T0)).rejects.toThrow('IMPERSONATION_SECRET_ARN is not set');
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('resetContainerState() forgets the cached keys and the fetch count', async () => {
    new FakeSecret(SECRET_ARN, KEY_1).install(secretsMock);
    await signingKeys(T0);
    resetContainerState();
    expect(signingKeyFetches()).toBe(0);

    await signingKeys(T0);
    expect(signingKeyFetches()).toBe(1);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(4);
  });
});

describe('verificationKeys', () => {
  it('lists the current key first, then the previous one', () => {
    expect(verificationKeys({ current: KEY_2, previous: KEY_1 })).toEqual([KEY_2, KEY_1]);
  });

  it('lists a key once when previous and current are the same', () => {
    expect(verificationKeys({ current: KEY_1, previous: KEY_1 })).toEqual([KEY_1]);
  });
});

describe('parseKey', () => {
  it('returns the key of a well-formed value', () => {
    expect(parseKey(keyValue(KEY_1))).toBe(KEY_1);
  });

  it('accepts exactly 32 characters and refuses 31', () => {
    expect(parseKey(keyValue('k'.repeat(32)))).toBe('k'.repeat(32));
    expect(() => parseKey(keyValue('k'.repeat(31)))).toThrow();
  });

  it('does not put the value into its error message', () => {
    const value = JSON.stringify({ key: 'short-secret-value' });
    expect(() => parseKey(value)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('short-secret-value') }));
  });
});
