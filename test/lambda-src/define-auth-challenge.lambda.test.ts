import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, InternalServerError, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import type { DefineAuthChallengeTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CHALLENGE_ENV,
  CLIENT_ID_PARAMETER,
  DEDICATED_CLIENT_ID,
  OTHER_CLIENT_ID,
  challengeFailedRecord,
  defineEvent,
  parameterHolds,
} from './fixtures/challenge';
import { TARGET, isIsoTime, lambdaContext } from './fixtures/common';
import { handlerTest } from './fixtures/handler-test';
import { handler } from '../../lambda-src/define-auth-challenge.lambda';
import { CHALLENGE_FAILURE, SOURCE } from '../../src/private/contract';

type Session = DefineAuthChallengeTriggerEvent['request']['session'];

const ssmMock = mockClient(SSMClient);
const secretsMock = mockClient(SecretsManagerClient);
const { logs, setEnv } = handlerTest({ mocks: [ssmMock, secretsMock], env: CHALLENGE_ENV });

beforeEach(() => {
  parameterHolds(ssmMock);
});

const custom = (challengeResult: boolean): Session[number] => ({ challengeName: 'CUSTOM_CHALLENGE', challengeResult, challengeMetadata: 'IMPERSONATION_ASSERTION' });

/** Runs Define and expects it to fail authentication with no further challenge. */
async function expectFailure(event: DefineAuthChallengeTriggerEvent): Promise<void> {
  const result = await handler(event, lambdaContext());
  expect(result).toBe(event);
  expect(event.response).toEqual({ challengeName: undefined, issueTokens: false, failAuthentication: true });
}

/** The one challenge.failed event written. */
function expectOneFailureEvent(failureReason: string, overrides: { clientId?: string; target?: Record<string, unknown> } = {}): void {
  const events = logs.auditEvents();
  expect(events).toEqual([challengeFailedRecord(SOURCE.DEFINE_AUTH_CHALLENGE, 'DefineAuthChallenge_Authentication', failureReason, overrides)]);
  expect(isIsoTime(events[0].time)).toBe(true);
  expect(logs.warn).toHaveBeenCalledTimes(1);
  expect(logs.info).not.toHaveBeenCalled();
}

describe('the dedicated client', () => {
  it('first call: asks for one CUSTOM_CHALLENGE, issues nothing yet, audits nothing', async () => {
    const event = defineEvent();

    const result = await handler(event, lambdaContext());

    expect(result).toBe(event);
    expect(event.response).toEqual({ challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false });
    expect(logs.auditEvents()).toEqual([]);
    expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: CLIENT_ID_PARAMETER }]);
  });

  it('first call without a session array at all: the same', async () => {
    const event = defineEvent();
    delete (event.request as Partial<DefineAuthChallengeTriggerEvent['request']>).session;

    await handler(event, lambdaContext());

    expect(event.response).toEqual({ challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false });
  });

  it('after one correctly answered custom challenge: issues tokens', async () => {
    const event = defineEvent({ session: [custom(true)] });

    await handler(event, lambdaContext());

    expect(event.response).toEqual({ challengeName: undefined, issueTokens: true, failAuthentication: false });
    expect(logs.auditEvents()).toEqual([]);
  });

  it('after a wrong answer: fails authentication, no second try, and leaves the audit to Verify', async () => {
    await expectFailure(defineEvent({ session: [custom(false)] }));

    // Verify already wrote the challenge.failed event for this answer.
    expect(logs.auditEvents()).toEqual([]);
  });

  it('reads the client id once per container (cached), not on every sign-in', async () => {
    await handler(defineEvent(), lambdaContext());
    await handler(defineEvent({ session: [custom(true)] }), lambdaContext());
    await handler(defineEvent({ clientId: OTHER_CLIENT_ID }), lambdaContext());

    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('never touches the signing key', async () => {
    await handler(defineEvent({ session: [custom(true)] }), lambdaContext());
    expect(secretsMock.calls()).toHaveLength(0);
  });
});

describe('other flows fail authentication, with one challenge.failed event', () => {
  it.each<[string, Session]>([
    ['an SRP step', [{ challengeName: 'SRP_A', challengeResult: true }]],
    ['SRP then a password verifier', [{ challengeName: 'SRP_A', challengeResult: true }, { challengeName: 'PASSWORD_VERIFIER', challengeResult: true }]],
    ['a custom challenge after a password step', [{ challengeName: 'PASSWORD_VERIFIER', challengeResult: true }, custom(true)]],
    ['a second custom challenge after a wrong answer (a retry)', [custom(false), custom(true)]],
    ['a second custom challenge after a right answer (an extra step)', [custom(true), custom(true)]],
    ['an MFA step', [{ challengeName: 'SMS_MFA', challengeResult: true }]],
  ])('%s', async (_, session) => {
    await expectFailure(defineEvent({ session }));
    expectOneFailureEvent(CHALLENGE_FAILURE.UNEXPECTED_FLOW);
  });

  it('a successful step whose name is not CUSTOM_CHALLENGE never issues tokens', async () => {
    await expectFailure(defineEvent({ session: [{ challengeName: 'PASSWORD_VERIFIER', challengeResult: true }] }));
    expectOneFailureEvent(CHALLENGE_FAILURE.UNEXPECTED_FLOW);
  });
});

describe('fenced to the dedicated client', () => {
  it('custom auth through any other client fails authentication', async () => {
    await expectFailure(defineEvent({ clientId: OTHER_CLIENT_ID }));
    expectOneFailureEvent(CHALLENGE_FAILURE.WRONG_CLIENT, { clientId: OTHER_CLIENT_ID });
  });

  it('even a correctly answered challenge on another client gets no tokens', async () => {
    await expectFailure(defineEvent({ clientId: OTHER_CLIENT_ID, session: [custom(true)] }));
    expectOneFailureEvent(CHALLENGE_FAILURE.WRONG_CLIENT, { clientId: OTHER_CLIENT_ID });
  });

  it('a client id that only differs in case is another client', async () => {
    await expectFailure(defineEvent({ clientId: DEDICATED_CLIENT_ID.toUpperCase() }));
    expectOneFailureEvent(CHALLENGE_FAILURE.WRONG_CLIENT, { clientId: DEDICATED_CLIENT_ID.toUpperCase() });
  });

  it.each<[string, () => void]>([
    ['GetParameter fails', () => ssmMock.on(GetParameterCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }))],
    ['the parameter does not exist', () => ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nope', $metadata: {} }))],
    ['the parameter is empty', () => parameterHolds(ssmMock, '')],
    ['the parameter has no value', () => parameterHolds(ssmMock, null)],
    ['the parameter name is not configured', () => {
      setEnv({ ...CHALLENGE_ENV, CLIENT_ID_PARAMETER: undefined });
    }],
  ])('when the client id cannot be read (%s): fails closed, Unavailable', async (_, arrange) => {
    arrange();
    await expectFailure(defineEvent({ session: [custom(true)] }));
    expectOneFailureEvent(CHALLENGE_FAILURE.UNAVAILABLE);
  });

  it('a failed read is not cached: the next sign-in reads again', async () => {
    ssmMock.on(GetParameterCommand).rejectsOnce(new InternalServerError({ message: 'boom', $metadata: {} }));
    await expectFailure(defineEvent());

    parameterHolds(ssmMock);
    const event = defineEvent();
    await handler(event, lambdaContext());
    expect(event.response.challengeName).toBe('CUSTOM_CHALLENGE');
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(2);
  });
});

describe('unknown users', () => {
  it('fail authentication before any AWS call (UnknownUser)', async () => {
    await expectFailure(defineEvent({ userNotFound: true, userName: 'nobody' }));

    expectOneFailureEvent(CHALLENGE_FAILURE.UNKNOWN_USER, { target: { sub: undefined, username: 'nobody' } });
    expect(ssmMock.calls()).toHaveLength(0);
  });
});

describe('logging', () => {
  it('writes no user attribute to the log (identifiers only)', async () => {
    await handler(defineEvent({ clientId: OTHER_CLIENT_ID }), lambdaContext());

    expect(logs.text()).toContain(TARGET.sub);
    expect(logs.text()).not.toContain(TARGET.email);
    expect(logs.text()).not.toContain(TARGET.phoneNumber);
  });
});
