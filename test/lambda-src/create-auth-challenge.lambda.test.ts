import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, InternalServerError, SSMClient } from '@aws-sdk/client-ssm';
import type { CreateAuthChallengeTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CHALLENGE_ENV,
  CLIENT_ID_PARAMETER,
  OTHER_CLIENT_ID,
  challengeFailedRecord,
  createEvent,
  parameterHolds,
} from './fixtures/challenge';
import { isIsoTime, lambdaContext } from './fixtures/common';
import { handlerTest } from './fixtures/handler-test';
import { handler } from '../../lambda-src/create-auth-challenge.lambda';
import { CHALLENGE_FAILURE, SOURCE } from '../../src/private/contract';

const ssmMock = mockClient(SSMClient);
const secretsMock = mockClient(SecretsManagerClient);
const { logs, setEnv } = handlerTest({ mocks: [ssmMock, secretsMock], env: CHALLENGE_ENV });

const BASE64URL_256_BITS = /^[A-Za-z0-9_-]{43}$/;

beforeEach(() => {
  parameterHolds(ssmMock);
});

/** Runs Create and expects it to refuse (throw) with one challenge.failed event, issuing no challenge. */
async function expectRefusal(event: CreateAuthChallengeTriggerEvent, failureReason: string, clientId?: string): Promise<void> {
  const responseBefore = structuredClone(event.response);
  await expect(handler(event, lambdaContext())).rejects.toThrow(new Error('Impersonation challenge refused'));
  expect(event.response).toEqual(responseBefore);
  const events = logs.auditEvents();
  expect(events).toEqual([challengeFailedRecord(SOURCE.CREATE_AUTH_CHALLENGE, 'CreateAuthChallenge_Authentication', failureReason, { clientId })]);
  expect(isIsoTime(events[0].time)).toBe(true);
  expect(logs.warn).toHaveBeenCalledTimes(1);
}

describe('on the dedicated client', () => {
  it('issues a 256-bit base64url nonce, public for the broker and private for Verify', async () => {
    const event = createEvent();

    const result = await handler(event, lambdaContext());

    expect(result).toBe(event);
    const { nonce } = event.response.publicChallengeParameters;
    expect(nonce).toMatch(BASE64URL_256_BITS);
    expect(Buffer.from(nonce, 'base64url')).toHaveLength(32);
    expect(Buffer.from(nonce, 'base64url').toString('base64url')).toBe(nonce);
    expect(event.response).toEqual({
      publicChallengeParameters: { nonce },
      privateChallengeParameters: { nonce },
      challengeMetadata: 'IMPERSONATION_ASSERTION',
    });
    expect(logs.auditEvents()).toEqual([]);
    expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: CLIENT_ID_PARAMETER }]);
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('a fresh nonce for every auth session (500 sessions, 500 different nonces)', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const event = createEvent();
      await handler(event, lambdaContext());
      expect(event.response.publicChallengeParameters.nonce).toMatch(BASE64URL_256_BITS);
      nonces.add(event.response.publicChallengeParameters.nonce);
    }
    expect(nonces.size).toBe(500);
    // Cached client id: one read for all of them.
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('the nonce is not guessable from the event: the same event twice gets two nonces', async () => {
    const first = createEvent();
    const second = createEvent();
    await handler(first, lambdaContext());
    await handler(second, lambdaContext());
    expect(first.response.publicChallengeParameters.nonce).not.toBe(second.response.publicChallengeParameters.nonce);
  });
});

describe('refusals', () => {
  it('another client: no challenge (WrongClient)', async () => {
    await expectRefusal(createEvent({ clientId: OTHER_CLIENT_ID }), CHALLENGE_FAILURE.WRONG_CLIENT, OTHER_CLIENT_ID);
  });

  it('another client asking for another challenge is still reported as WrongClient', async () => {
    await expectRefusal(createEvent({ clientId: OTHER_CLIENT_ID, challengeName: 'SMS_MFA' }), CHALLENGE_FAILURE.WRONG_CLIENT, OTHER_CLIENT_ID);
  });

  it.each(['SMS_MFA', 'PASSWORD_VERIFIER', 'custom_challenge', ''])('a challenge other than CUSTOM_CHALLENGE (%j): UnexpectedFlow', async (challengeName) => {
    await expectRefusal(createEvent({ challengeName }), CHALLENGE_FAILURE.UNEXPECTED_FLOW);
  });

  it('the client id cannot be read: Unavailable', async () => {
    ssmMock.on(GetParameterCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }));
    await expectRefusal(createEvent(), CHALLENGE_FAILURE.UNAVAILABLE);
  });

  it('the parameter name is not configured: Unavailable, no AWS call', async () => {
    setEnv({ ...CHALLENGE_ENV, CLIENT_ID_PARAMETER: undefined });
    await expectRefusal(createEvent(), CHALLENGE_FAILURE.UNAVAILABLE);
    expect(ssmMock.calls()).toHaveLength(0);
  });
});
