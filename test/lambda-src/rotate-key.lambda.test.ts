import crypto from 'crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { CHALLENGE_ENV, FakeSecret, KEY_1, SECRET_ARN, keyValue, rotate } from './fixtures/challenge';
import { REQUEST_ID, USER_POOL_ID, isIsoTime, lambdaContext } from './fixtures/common';
import { handlerTest } from './fixtures/handler-test';
import { newKeyValue } from '../../lambda-src/custom-challenge/key-rotation';
import { handler } from '../../lambda-src/rotate-key.lambda';
import { AUDIT_EVENT, SOURCE, STRATEGY } from '../../src/private/contract';

const secretsMock = mockClient(SecretsManagerClient);
const { logs, setEnv } = handlerTest({ mocks: [secretsMock], env: CHALLENGE_ENV });
const TOKEN = '0b5f6c1e-3a2d-4e8f-9c7b-1d2e3f4a5b6c';
const INITIAL = 'version-0000-initial';
let secret: FakeSecret;

beforeEach(() => {
  secret = new FakeSecret(SECRET_ARN, KEY_1, INITIAL);
  secret.install(secretsMock);
});

function step(Step: string, overrides: { SecretId?: string; ClientRequestToken?: string } = {}) {
  return handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: TOKEN, ...overrides }, lambdaContext());
}

function rotationRecord(type: string, rotationStep: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    time: expect.any(String),
    event: type,
    strategy: STRATEGY.CUSTOM_CHALLENGE,
    source: SOURCE.ROTATE_KEY,
    userPoolId: USER_POOL_ID,
    requestId: REQUEST_ID,
    rotationStep,
    versionId: TOKEN,
    ...extra,
  };
}

/** No key, old or new, in the log. */
function expectNoKeyLogged(): void {
  const text = logs.text();
  for (const version of secret.versions.values()) {
    if (version.value !== undefined) {
      expect(text).not.toContain(JSON.parse(version.value).key);
    }
  }
  expect(text).not.toContain(KEY_1);
}

/** Expects the step to be refused: rethrown, with one key.rotation_failed event. */
async function expectFailed(
  run: Promise<void>,
  rotationStep: string | undefined,
  failureReason: string | jest.AsymmetricMatcher,
  versionId: string = TOKEN,
): Promise<unknown> {
  const thrown = await run.then(() => undefined, (e: unknown) => e);
  expect(thrown).toBeInstanceOf(Error);
  const events = logs.auditEvents();
  expect(events).toEqual([rotationRecord(AUDIT_EVENT.KEY_ROTATION_FAILED, rotationStep, { failureReason, versionId })]);
  expect(isIsoTime(events[0].time)).toBe(true);
  expect(logs.warn).toHaveBeenCalledTimes(1);
  expectNoKeyLogged();
  return thrown;
}

describe('a full rotation', () => {
  it('puts a new key as AWSPENDING, tests it, and makes it AWSCURRENT with the old key AWSPREVIOUS', async () => {
    await rotate(secret, handler, lambdaContext(), TOKEN);

    const newKey = secret.keyAt('AWSCURRENT')!;
    expect(secret.versionAt('AWSCURRENT')).toBe(TOKEN);
    expect(newKey).not.toBe(KEY_1);
    expect(secret.keyAt('AWSPREVIOUS')).toBe(KEY_1);
    expect(secret.versionAt('AWSPREVIOUS')).toBe(INITIAL);

    expect(secretsMock.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input)).toEqual([{
      SecretId: SECRET_ARN, ClientRequestToken: TOKEN, SecretString: keyValue(newKey), VersionStages: ['AWSPENDING'],
    }]);
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([{
      SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: INITIAL,
    }]);
    // Only the finished rotation is an audit event; no step logs a key.
    expect(logs.auditEvents()).toEqual([rotationRecord(AUDIT_EVENT.KEY_ROTATED, 'finishSecret')]);
    expectNoKeyLogged();
  });

  it('a new key is 32 bytes from the CSPRNG, base64 (44 characters)', async () => {
    const randomBytes = jest.spyOn(crypto, 'randomBytes');
    await rotate(secret, handler, lambdaContext(), TOKEN);

    const newKey = secret.keyAt('AWSCURRENT')!;
    expect(newKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(newKey, 'base64')).toHaveLength(32);
    const calls = randomBytes.mock.calls.filter(([size]) => size === 32);
    expect(calls).toHaveLength(1);
    expect((randomBytes.mock.results[randomBytes.mock.calls.indexOf(calls[0])].value as Buffer).toString('base64')).toBe(newKey);
  });

  it('newKeyValue: a different key every time', () => {
    const keys = new Set(Array.from({ length: 200 }, () => JSON.parse(newKeyValue()).key));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(Buffer.from(key, 'base64')).toHaveLength(32);
  });

  it('rotates without IMPERSONATION_USER_POOL_ID too (the event names no pool then)', async () => {
    setEnv({ SECRET_ARN });
    await rotate(secret, handler, lambdaContext(), TOKEN);

    expect(secret.versionAt('AWSCURRENT')).toBe(TOKEN);
    expect(logs.auditEvents()).toEqual([rotationRecord(AUDIT_EVENT.KEY_ROTATED, 'finishSecret', { userPoolId: '' })]);
  });

  it('two rotations: the first key is gone, the second is previous', async () => {
    await rotate(secret, handler, lambdaContext(), TOKEN);
    const second = secret.keyAt('AWSCURRENT');
    await rotate(secret, handler, lambdaContext(), 'a1b2c3d4-0000-4000-8000-000000000002');

    expect(secret.keyAt('AWSPREVIOUS')).toBe(second);
    expect([secret.keyAt('AWSCURRENT'), secret.keyAt('AWSPREVIOUS')]).not.toContain(KEY_1);
  });
});

describe('idempotency (Secrets Manager retries steps)', () => {
  it('createSecret twice puts the key once, and the second call keeps the first key', async () => {
    secret.beginRotation(TOKEN);
    await step('createSecret');
    const pending = secret.keyAt('AWSPENDING');
    await step('createSecret');

    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(secret.keyAt('AWSPENDING')).toBe(pending);
    expect(logs.auditEvents()).toEqual([]);
  });

  it('createSecret looks for the pending value of exactly this version', async () => {
    secret.beginRotation(TOKEN);
    await step('createSecret');
    expect(secretsMock.commandCalls(GetSecretValueCommand)[0].args[0].input)
      .toEqual({ SecretId: SECRET_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' });
  });

  it('finishSecret when the version is already current is a no-op (no stage moved, no second event)', async () => {
    await rotate(secret, handler, lambdaContext(), TOKEN);
    logs.info.mockClear();
    secretsMock.resetHistory();

    await step('finishSecret');

    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    expect(secret.keyAt('AWSPREVIOUS')).toBe(KEY_1);
    expect(logs.auditEvents()).toEqual([]);
  });

  it('the whole rotation retried: every step is a no-op the second time', async () => {
    await rotate(secret, handler, lambdaContext(), TOKEN);
    const current = secret.keyAt('AWSCURRENT');
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await step(Step);

    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
    expect(secret.keyAt('AWSCURRENT')).toBe(current);
    expect(logs.auditEvents()).toHaveLength(1);
  });

  it('setSecret changes nothing (the key lives only in the secret)', async () => {
    secret.beginRotation(TOKEN);
    await step('createSecret');
    secretsMock.resetHistory();

    await step('setSecret');

    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    expect(secretsMock.calls().map((c) => c.args[0].constructor)).toEqual([DescribeSecretCommand]);
  });

  it('testSecret reads the pending version and accepts a well-formed key', async () => {
    secret.beginRotation(TOKEN);
    await step('createSecret');
    secretsMock.resetHistory();

    await step('testSecret');

    expect(secretsMock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input))
      .toEqual([{ SecretId: SECRET_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' }]);
    expect(logs.auditEvents()).toEqual([]);
  });
});

describe('refusals: audited as key.rotation_failed and rethrown', () => {
  it('another secret, with no AWS call at all', async () => {
    const other = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SomeoneElsesSecret-XyZ123';
    const thrown = await expectFailed(step('createSecret', { SecretId: other }), 'createSecret', 'NotOurSecret');
    expect((thrown as Error).message).toBe('Key rotation refused: NotOurSecret');
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('any secret when the function is not told which one is its own', async () => {
    setEnv({ ...CHALLENGE_ENV, SECRET_ARN: undefined });
    await expectFailed(step('createSecret'), 'createSecret', 'NotOurSecret');
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('rotation disabled on the secret', async () => {
    secret.rotationEnabled = false;
    secret.beginRotation(TOKEN);
    await expectFailed(step('createSecret'), 'createSecret', 'RotationDisabled');
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('a version the secret does not have', async () => {
    await expectFailed(step('createSecret'), 'createSecret', 'UnknownVersion');
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('a version that is not pending (an old one)', async () => {
    await rotate(secret, handler, lambdaContext(), TOKEN);
    logs.info.mockClear();
    secretsMock.resetHistory();
    // INITIAL is now AWSPREVIOUS: never re-staged, never overwritten.
    await expectFailed(step('finishSecret', { ClientRequestToken: INITIAL }), 'finishSecret', 'VersionNotPending', INITIAL);
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('an unknown step', async () => {
    secret.beginRotation(TOKEN);
    await expectFailed(step('deleteSecret'), 'deleteSecret', 'UnknownStep');
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('testSecret before createSecret (no pending value): fails', async () => {
    secret.beginRotation(TOKEN);
    await expectFailed(step('testSecret'), 'testSecret', expect.any(String));
  });

  it('testSecret with a malformed pending value: fails, and the value is not logged', async () => {
    secret.beginRotation(TOKEN);
    secret.versions.get(TOKEN)!.value = JSON.stringify({ key: 'short-pending-value' });
    await expectFailed(step('testSecret'), 'testSecret', 'InvalidPendingKey');
    expect(logs.text()).not.toContain('short-pending-value');
  });

  it('an SDK failure is audited (SecretsManagerError) and the same error rethrown', async () => {
    const failure = new InternalServiceError({ message: 'service unavailable', $metadata: {} });
    secretsMock.on(DescribeSecretCommand).rejects(failure);
    secret.beginRotation(TOKEN);

    const thrown = await expectFailed(step('createSecret'), 'createSecret', 'SecretsManagerError');
    expect(thrown).toBe(failure);
  });

  it('createSecret: a failure reading the pending version other than "not found" puts nothing', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'service unavailable', $metadata: {} }));
    secret.beginRotation(TOKEN);

    await expectFailed(step('createSecret'), 'createSecret', 'SecretsManagerError');
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('a failing PutSecretValue is audited and rethrown, and nothing is staged', async () => {
    secretsMock.on(PutSecretValueCommand).rejects(new InternalServiceError({ message: 'service unavailable', $metadata: {} }));
    secret.beginRotation(TOKEN);

    await expectFailed(step('createSecret'), 'createSecret', 'SecretsManagerError');
    expect(secret.keyAt('AWSPENDING')).toBeUndefined();
  });

  it('a failing UpdateSecretVersionStage leaves the current key in force', async () => {
    secretsMock.on(UpdateSecretVersionStageCommand).rejects(new InternalServiceError({ message: 'service unavailable', $metadata: {} }));
    secret.beginRotation(TOKEN);
    await step('createSecret');
    await step('testSecret');

    await expectFailed(step('finishSecret'), 'finishSecret', 'SecretsManagerError');
    expect(secret.keyAt('AWSCURRENT')).toBe(KEY_1);
  });
});
