import {
  GetSecretValueCommand,
  InternalServiceError,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, InternalServerError, SSMClient } from '@aws-sdk/client-ssm';
import type { VerifyAuthChallengeResponseTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CHALLENGE_ENV,
  DEDICATED_CLIENT_ID,
  FakeSecret,
  KEY_1,
  KEY_2,
  OTHER_CLIENT_ID,
  OTHER_TARGET,
  SECRET_ARN,
  UNKNOWN_KEY,
  challengeFailedRecord,
  keyValue,
  newNonce,
  parameterHolds,
  signedAnswer,
  verifyEvent,
} from './fixtures/challenge';
import { ADMIN, TARGET, isIsoTime, lambdaContext } from './fixtures/common';
import { handlerTest } from './fixtures/handler-test';
import { signingKeyFetches } from '../../lambda-src/custom-challenge/signing-keys';
import { handler } from '../../lambda-src/verify-auth-challenge.lambda';
import { ASSERTION_METADATA_KEY, CHALLENGE_FAILURE, LIMITS, SOURCE } from '../../src/private/contract';

const ssmMock = mockClient(SSMClient);
const secretsMock = mockClient(SecretsManagerClient);
const { logs, setEnv } = handlerTest({ mocks: [ssmMock, secretsMock], env: CHALLENGE_ENV });
let secret: FakeSecret;

beforeEach(() => {
  parameterHolds(ssmMock);
  secret = new FakeSecret(SECRET_ARN, KEY_1);
  secret.install(secretsMock);
});

/** Puts KEY_2 in force with KEY_1 as the previous key, as a finished rotation does. */
function rotated(): void {
  secret.beginRotation('version-0001');
  secret.versions.get('version-0001')!.value = keyValue(KEY_2);
  secret.versions.get('version-0001')!.stages = ['AWSCURRENT'];
  secret.versions.get('version-0000-initial')!.stages = ['AWSPREVIOUS'];
}

/** No key material, nor the answer or its MAC, ever reaches the log. */
function expectNothingSecretLogged(answer: string): void {
  const text = logs.text();
  for (const value of [KEY_1, KEY_2, UNKNOWN_KEY, answer].filter((v) => v.length > 0)) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(JSON.stringify(value).slice(1, -1));
  }
  try {
    const mac = JSON.parse(answer).mac;
    if (typeof mac === 'string') expect(text).not.toContain(mac);
  } catch {
    // not JSON: the whole answer was checked above
  }
}

async function expectAccepted(event: VerifyAuthChallengeResponseTriggerEvent): Promise<void> {
  const result = await handler(event, lambdaContext());
  expect(result).toBe(event);
  expect(event.response.answerCorrect).toBe(true);
  expect(logs.auditEvents()).toEqual([]);
  expectNothingSecretLogged(event.request.challengeAnswer);
}

/** Runs Verify, expects the answer to be refused with exactly one challenge.failed event. */
async function expectRefused(
  event: VerifyAuthChallengeResponseTriggerEvent,
  failureReason: string,
  overrides: { clientId?: string; target?: Record<string, unknown> } = {},
): Promise<void> {
  const result = await handler(event, lambdaContext());
  expect(result).toBe(event);
  expect(event.response.answerCorrect).toBe(false);
  const events = logs.auditEvents();
  expect(events).toEqual([challengeFailedRecord(SOURCE.VERIFY_AUTH_CHALLENGE, 'VerifyAuthChallengeResponse_Authentication', failureReason, overrides)]);
  expect(isIsoTime(events[0].time)).toBe(true);
  expect(logs.warn).toHaveBeenCalledTimes(1);
  expectNothingSecretLogged(event.request.challengeAnswer);
}

describe('accepted', () => {
  it('the broker\'s assertion over this session\'s nonce, for this user and client, signed with the current key', async () => {
    const nonce = newNonce();
    await expectAccepted(verifyEvent(signedAnswer(KEY_1, nonce), nonce));
  });

  it('also when Cognito passes the broker\'s ClientMetadata along (RespondToAuthChallenge does)', async () => {
    const nonce = newNonce();
    const answer = signedAnswer(KEY_1, nonce);
    await expectAccepted(verifyEvent(answer, nonce, { clientMetadata: { [ASSERTION_METADATA_KEY]: answer } }));
  });

  it('an assertion signed with the previous key, during the rotation window', async () => {
    rotated();
    const nonce = newNonce();
    await expectAccepted(verifyEvent(signedAnswer(KEY_1, nonce), nonce));
  });

  it('an assertion signed with the new current key after a rotation', async () => {
    rotated();
    const nonce = newNonce();
    await expectAccepted(verifyEvent(signedAnswer(KEY_2, nonce), nonce));
  });

  it('reads the key once per cache period, not on every answer', async () => {
    for (let i = 0; i < 20; i++) {
      const nonce = newNonce();
      const event = verifyEvent(signedAnswer(KEY_1, nonce), nonce);
      await handler(event, lambdaContext());
      expect(event.response.answerCorrect).toBe(true);
    }
    expect(signingKeyFetches()).toBe(1);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
  });
});

describe('refused, with one challenge.failed event and nothing secret in the log', () => {
  it('a wrong answer (a guessed password)', async () => {
    await expectRefused(verifyEvent('hunter2', newNonce()), CHALLENGE_FAILURE.MALFORMED);
  });

  it('an empty answer', async () => {
    await expectRefused(verifyEvent('', newNonce()), CHALLENGE_FAILURE.MALFORMED);
  });

  it('an expired assertion', async () => {
    const nonce = newNonce();
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(verifyEvent(signedAnswer(KEY_1, nonce, { expiresAt: now - 1 }), nonce), CHALLENGE_FAILURE.EXPIRED);
  });

  it('an assertion valid for too long', async () => {
    const nonce = newNonce();
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(verifyEvent(signedAnswer(KEY_1, nonce, { expiresAt: now + 24 * 3600 }), nonce), CHALLENGE_FAILURE.EXPIRED);
  });

  it('a tampered assertion (the actor changed after signing)', async () => {
    const nonce = newNonce();
    const answer = JSON.parse(signedAnswer(KEY_1, nonce));
    answer.actorUsername = 'mallory.support';
    await expectRefused(verifyEvent(JSON.stringify(answer), nonce), CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('a tampered assertion (the expiry pushed out after signing)', async () => {
    const nonce = newNonce();
    const answer = JSON.parse(signedAnswer(KEY_1, nonce));
    answer.expiresAt += 20;
    await expectRefused(verifyEvent(JSON.stringify(answer), nonce), CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('a replayed answer: signed over another session\'s nonce', async () => {
    const earlierNonce = newNonce();
    const captured = signedAnswer(KEY_1, earlierNonce);
    await expectRefused(verifyEvent(captured, newNonce()), CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('a replayed answer whose nonce field was rewritten to this session\'s nonce', async () => {
    const nonce = newNonce();
    const captured = JSON.parse(signedAnswer(KEY_1, newNonce()));
    captured.nonce = nonce;
    await expectRefused(verifyEvent(JSON.stringify(captured), nonce), CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('an answer signed for another user, presented while signing in as this one', async () => {
    const nonce = newNonce();
    const forCarol = signedAnswer(KEY_1, nonce, { targetUsername: OTHER_TARGET.username });
    await expectRefused(verifyEvent(forCarol, nonce), CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('an answer for this user presented in another user\'s sign-in', async () => {
    const nonce = newNonce();
    await expectRefused(
      verifyEvent(signedAnswer(KEY_1, nonce), nonce, { userName: OTHER_TARGET.username, sub: OTHER_TARGET.sub }),
      CHALLENGE_FAILURE.BAD_SIGNATURE,
      { target: { sub: OTHER_TARGET.sub, username: OTHER_TARGET.username } },
    );
  });

  it('an assertion signed for another client', async () => {
    const nonce = newNonce();
    await expectRefused(verifyEvent(signedAnswer(KEY_1, nonce, { clientId: OTHER_CLIENT_ID }), nonce), CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('an assertion signed with an unknown key', async () => {
    const nonce = newNonce();
    await expectRefused(verifyEvent(signedAnswer(UNKNOWN_KEY, nonce), nonce), CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('an assertion signed with a key that is two rotations old', async () => {
    rotated();
    // A second rotation: KEY_2 previous, a third key current; KEY_1 is gone.
    secret.beginRotation('version-0002');
    secret.versions.get('version-0002')!.value = keyValue(UNKNOWN_KEY);
    secret.versions.get('version-0002')!.stages = ['AWSCURRENT'];
    secret.versions.get('version-0001')!.stages = ['AWSPREVIOUS'];
    secret.versions.get('version-0000-initial')!.stages = [];
    const nonce = newNonce();
    await expectRefused(verifyEvent(signedAnswer(KEY_1, nonce), nonce), CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('a valid answer on another client (WrongClient)', async () => {
    const nonce = newNonce();
    const event = verifyEvent(signedAnswer(KEY_1, nonce), nonce, { clientId: OTHER_CLIENT_ID });
    await expectRefused(event, CHALLENGE_FAILURE.WRONG_CLIENT, { clientId: OTHER_CLIENT_ID });
  });

  it('an answer signed for that other client, on that other client (still WrongClient)', async () => {
    const nonce = newNonce();
    const answer = signedAnswer(KEY_1, nonce, { clientId: OTHER_CLIENT_ID });
    await expectRefused(verifyEvent(answer, nonce, { clientId: OTHER_CLIENT_ID }), CHALLENGE_FAILURE.WRONG_CLIENT, { clientId: OTHER_CLIENT_ID });
  });

  it('no nonce in the private challenge parameters (not our challenge): UnexpectedFlow', async () => {
    await expectRefused(verifyEvent(signedAnswer(KEY_1, newNonce()), undefined), CHALLENGE_FAILURE.UNEXPECTED_FLOW);
  });

  it('an unknown user, before any AWS call', async () => {
    const nonce = newNonce();
    await expectRefused(
      verifyEvent(signedAnswer(KEY_1, nonce, { targetUsername: 'nobody' }), nonce, { userNotFound: true, userName: 'nobody' }),
      CHALLENGE_FAILURE.UNKNOWN_USER,
      { target: { sub: undefined, username: 'nobody' } },
    );
    expect(ssmMock.calls()).toHaveLength(0);
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('the client id cannot be read: Unavailable (fail closed)', async () => {
    ssmMock.on(GetParameterCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }));
    const nonce = newNonce();
    await expectRefused(verifyEvent(signedAnswer(KEY_1, nonce), nonce), CHALLENGE_FAILURE.UNAVAILABLE);
  });

  it('the key cannot be read: Unavailable (fail closed), and the SDK error is not logged', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: `cannot read ${SECRET_ARN}`, $metadata: {} }));
    const nonce = newNonce();
    await expectRefused(verifyEvent(signedAnswer(KEY_1, nonce), nonce), CHALLENGE_FAILURE.UNAVAILABLE);
    expect(logs.text()).not.toContain('cannot read');
  });

  it('the secret holds no usable key: Unavailable', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ key: '' }) });
    const nonce = newNonce();
    await expectRefused(verifyEvent(signedAnswer(KEY_1, nonce), nonce), CHALLENGE_FAILURE.UNAVAILABLE);
  });

  it('the secret is not configured: Unavailable', async () => {
    setEnv({ ...CHALLENGE_ENV, SECRET_ARN: undefined });
    const nonce = newNonce();
    await expectRefused(verifyEvent(signedAnswer(KEY_1, nonce), nonce), CHALLENGE_FAILURE.UNAVAILABLE);
  });
});

describe('the answer is checked against Cognito\'s event, never against itself', () => {
  it('an answer that names another client and another user is still checked for this client and this user', async () => {
    const nonce = newNonce();
    // Signed (with the real key) for carol through the other client: useless for bob on the dedicated client.
    const answer = signedAnswer(KEY_1, nonce, { targetUsername: OTHER_TARGET.username, clientId: OTHER_CLIENT_ID });
    await expectRefused(verifyEvent(answer, nonce), CHALLENGE_FAILURE.BAD_SIGNATURE);
  });

  it('an answer that was correct a minute ago is expired now', async () => {
    const nonce = newNonce();
    const answer = signedAnswer(KEY_1, nonce);
    const later = Date.now() + (LIMITS.ASSERTION_LIFETIME_SECONDS + 2) * 1000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    await expectRefused(verifyEvent(answer, nonce), CHALLENGE_FAILURE.EXPIRED);
  });

  it('the actor in the answer does not need to match the user signing in (it names the admin)', async () => {
    const nonce = newNonce();
    const answer = signedAnswer(KEY_1, nonce, { actorSub: ADMIN.sub, actorUsername: ADMIN.username });
    await expectAccepted(verifyEvent(answer, nonce));
    expect(TARGET.username).not.toBe(ADMIN.username);
  });

  it('uses the dedicated client id read from SSM, not a constant', async () => {
    parameterHolds(ssmMock, OTHER_CLIENT_ID);
    const nonce = newNonce();
    // Now the "other" client is the dedicated one, and the old one is refused.
    await expectAccepted(verifyEvent(signedAnswer(KEY_1, nonce, { clientId: OTHER_CLIENT_ID }), nonce, { clientId: OTHER_CLIENT_ID }));
    logs.warn.mockClear();
    const event = verifyEvent(signedAnswer(KEY_1, nonce), nonce, { clientId: DEDICATED_CLIENT_ID });
    await handler(event, lambdaContext());
    expect(event.response.answerCorrect).toBe(false);
    expect(logs.warn.mock.calls[0][0]).toMatchObject({ failureReason: CHALLENGE_FAILURE.WRONG_CLIENT });
  });
});
