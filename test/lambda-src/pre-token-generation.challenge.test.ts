import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetSecretValueCommand, InternalServiceError, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, InternalServerError, SSMClient } from '@aws-sdk/client-ssm';
import type { PreTokenGenerationTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
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
  keyValue,
  newNonce,
  parameterHolds,
  signedAnswer,
} from './fixtures/challenge';
import {
  ADMIN,
  REQUEST_ID,
  TARGET,
  USER_POOL_ID,
  impersonationMetadata,
  isIsoTime,
  lambdaContext,
  v1Event,
  v2Event,
} from './fixtures/common';
import { handlerTest } from './fixtures/handler-test';
import { ImpersonationRefused } from '../../lambda-src/common/errors';
import { signingKeyFetches } from '../../lambda-src/custom-challenge/signing-keys';
import { handler } from '../../lambda-src/pre-token-generation.lambda';
import { ASSERTION_METADATA_KEY, AUDIT_EVENT, DENIAL_REASON, SOURCE, STRATEGY } from '../../src/private/contract';

type AnyEvent = PreTokenGenerationV2TriggerEvent | PreTokenGenerationTriggerEvent;

const ssmMock = mockClient(SSMClient);
const secretsMock = mockClient(SecretsManagerClient);
const cognitoMock = mockClient(CognitoIdentityProviderClient);
const { logs, setEnv } = handlerTest({ mocks: [ssmMock, secretsMock, cognitoMock], env: CHALLENGE_ENV });
let secret: FakeSecret;

const SESSION_ID = '5f0c7d7e-9a51-4c1e-8d3a-2b6f4e1a9c10';
const REFRESH = 'TokenGeneration_RefreshTokens';

beforeEach(() => {
  parameterHolds(ssmMock);
  secret = new FakeSecret(SECRET_ARN, KEY_1);
  secret.install(secretsMock);
});

interface TokenEventOptions {
  readonly clientId?: string;
  readonly triggerSource?: string;
  readonly clientMetadata?: Record<string, unknown> | undefined;
  readonly userName?: string;
  readonly sub?: string;
}

/** A token request for the target (an ordinary one unless clientMetadata says otherwise). */
function tokenEvent<E extends AnyEvent>(build: typeof v2Event | typeof v1Event, options: TokenEventOptions = {}): E {
  const event = build({
    triggerSource: options.triggerSource ?? 'TokenGeneration_Authentication',
    userName: options.userName ?? TARGET.username,
    sub: options.sub ?? TARGET.sub,
    groups: ['customers'],
    clientMetadata: 'clientMetadata' in options ? options.clientMetadata : undefined,
  }) as E;
  (event.callerContext as { clientId: string }).clientId = options.clientId ?? DEDICATED_CLIENT_ID;
  return event;
}

/** The broker's ClientMetadata for a completed impersonation challenge. */
function brokerMetadata(key: string = KEY_1, overrides: Parameters<typeof signedAnswer>[2] = {}): Record<string, string> {
  return { [ASSERTION_METADATA_KEY]: signedAnswer(key, newNonce(), overrides) };
}

function expectNoAwsCall(): void {
  expect(ssmMock.calls()).toHaveLength(0);
  expect(secretsMock.calls()).toHaveLength(0);
  expect(cognitoMock.calls()).toHaveLength(0);
}

/** Expects the handler to refuse with `denialReason`, leave the response alone and write one denied event. */
async function expectRefusal(event: AnyEvent, denialReason: string): Promise<void> {
  const responseBefore = structuredClone(event.response);
  const thrown = await handler(event, lambdaContext()).then(() => undefined, (e: unknown) => e);
  expect(thrown).toBeInstanceOf(ImpersonationRefused);
  expect((thrown as ImpersonationRefused).denialReason).toBe(denialReason);
  expect((thrown as Error).message).toBe(`Impersonation refused: ${denialReason}`);
  expect(event.response).toStrictEqual(responseBefore);

  const events = logs.auditEvents();
  expect(events).toEqual([{
    schemaVersion: 1,
    time: expect.any(String),
    event: AUDIT_EVENT.DENIED,
    strategy: STRATEGY.CUSTOM_CHALLENGE,
    source: SOURCE.PRE_TOKEN_GENERATION,
    userPoolId: USER_POOL_ID,
    clientId: event.callerContext.clientId,
    requestId: REQUEST_ID,
    triggerSource: event.triggerSource,
    denialReason,
    target: { sub: event.request.userAttributes.sub, username: event.userName },
  }]);
  expect(isIsoTime(events[0].time)).toBe(true);
  expect(logs.warn).toHaveBeenCalledTimes(1);
  expect(logs.info).not.toHaveBeenCalled();
  expectNothingSecretLogged(event);
}

function expectNothingSecretLogged(event: AnyEvent): void {
  const text = logs.text();
  for (const key of [KEY_1, KEY_2, UNKNOWN_KEY]) expect(text).not.toContain(key);
  const answer = event.request.clientMetadata?.[ASSERTION_METADATA_KEY];
  if (typeof answer === 'string' && answer.length > 0) {
    expect(text).not.toContain(answer);
    const mac = (() => {
      try {
        return JSON.parse(answer).mac;
      } catch {
        return undefined;
      }
    })();
    if (typeof mac === 'string') expect(text).not.toContain(mac);
  }
}

describe('ordinary sign-in (no assertion, no refresh)', () => {
  const ordinary: Array<[string, () => AnyEvent]> = [
    ['V2 on another client, no clientMetadata', () => tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID })],
    ['V2 on another client, unrelated clientMetadata', () => tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID, clientMetadata: { locale: 'de-DE' } })],
    ['V1 on another client', () => tokenEvent(v1Event, { clientId: OTHER_CLIENT_ID, triggerSource: 'TokenGeneration_HostedAuth' })],
    ['V2 on the dedicated client without an assertion', () => tokenEvent(v2Event)],
    ['V2 asking for the preTokenGeneration strategy\'s impersonation (not offered here)', () => tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID, clientMetadata: impersonationMetadata() })],
    ['a new-password challenge', () => tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID, triggerSource: 'TokenGeneration_NewPasswordChallenge' })],
  ];

  it.each(ordinary)('%s: the very same event, unchanged, zero AWS calls, no audit event', async (_, build) => {
    const event = build();
    const before = structuredClone(event);

    await expect(handler(event, lambdaContext())).resolves.toBe(event);

    expect(event).toStrictEqual(before);
    expectNoAwsCall();
    expect(logs.auditEvents()).toEqual([]);
  });

  it('does not depend on the configuration: a function without secret or parameter never blocks ordinary sign-in', async () => {
    setEnv({ STRATEGY: STRATEGY.CUSTOM_CHALLENGE });
    const event = tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID });
    const before = structuredClone(event);

    await expect(handler(event, lambdaContext())).resolves.toBe(event);
    expect(event).toStrictEqual(before);
    expectNoAwsCall();
  });
});

describe('loading the AWS SDK', () => {
  const SSM = '@aws-sdk/client-ssm';
  const SM = '@aws-sdk/client-secrets-manager';
  type HandlerModule = typeof import('../../lambda-src/pre-token-generation.lambda');

  it('an ordinary sign-in loads neither the SSM nor the Secrets Manager client; a refresh loads what it needs', async () => {
    const loads: Record<string, number> = { [SSM]: 0, [SM]: 0 };
    try {
      await jest.isolateModulesAsync(async () => {
        for (const name of [SSM, SM]) {
          jest.doMock(name, () => {
            loads[name] += 1;
            return jest.requireActual(name);
          });
        }
        const isolated = jest.requireActual<HandlerModule>('../../lambda-src/pre-token-generation.lambda');

        await isolated.handler(tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID }), lambdaContext());
        await isolated.handler(tokenEvent(v1Event, { clientId: OTHER_CLIENT_ID, clientMetadata: { locale: 'fr-FR' } }), lambdaContext());
        expect(loads).toEqual({ [SSM]: 0, [SM]: 0 });

        const ssm = jest.requireActual<typeof import('@aws-sdk/client-ssm')>(SSM);
        const isolatedSsm = mockClient(ssm.SSMClient);
        try {
          isolatedSsm.on(ssm.GetParameterCommand).resolves({ Parameter: { Value: DEDICATED_CLIENT_ID } });
          const refresh = tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID, triggerSource: REFRESH });
          await expect(isolated.handler(refresh, lambdaContext())).resolves.toBe(refresh);
          expect(isolatedSsm.commandCalls(ssm.GetParameterCommand)).toHaveLength(1);
        } finally {
          isolatedSsm.restore();
        }
      });
    } finally {
      jest.dontMock(SSM);
      jest.dontMock(SM);
    }
    expect(loads[SSM]).toBe(1);
  });
});

describe('refresh', () => {
  it.each<[string, typeof v2Event | typeof v1Event]>([['V2', v2Event], ['V1', v1Event]])(
    '%s on the dedicated client: refused (RefreshNotAllowed), impersonation tokens cannot be extended',
    async (_, build) => {
      await expectRefusal(tokenEvent(build, { triggerSource: REFRESH }), DENIAL_REASON.REFRESH_NOT_ALLOWED);
      expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
      expect(secretsMock.calls()).toHaveLength(0);
    },
  );

  it('on the dedicated client, refused even when it carries a valid assertion (GetTokensFromRefreshToken passes ClientMetadata)', async () => {
    await expectRefusal(tokenEvent(v2Event, { triggerSource: REFRESH, clientMetadata: brokerMetadata() }), DENIAL_REASON.REFRESH_NOT_ALLOWED);
  });

  it('on another client: passes unchanged; the client id is read once, then cached', async () => {
    for (let i = 0; i < 3; i++) {
      const event = tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID, triggerSource: REFRESH });
      const before = structuredClone(event);
      await expect(handler(event, lambdaContext())).resolves.toBe(event);
      expect(event).toStrictEqual(before);
    }
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(secretsMock.calls()).toHaveLength(0);
    expect(logs.auditEvents()).toEqual([]);
  });

  it('on another client, a captured assertion in ClientMetadata adds nothing to a refresh', async () => {
    const event = tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID, triggerSource: REFRESH, clientMetadata: brokerMetadata() });
    const before = structuredClone(event);
    await expect(handler(event, lambdaContext())).resolves.toBe(event);
    expect(event).toStrictEqual(before);
    expect(logs.auditEvents()).toEqual([]);
  });

  it('when the client id cannot be read, an ordinary user\'s refresh still passes (fail open for everyone else)', async () => {
    ssmMock.on(GetParameterCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }));
    const event = tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID, triggerSource: REFRESH });
    const before = structuredClone(event);

    await expect(handler(event, lambdaContext())).resolves.toBe(event);

    expect(event).toStrictEqual(before);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(logs.auditEvents()).toEqual([]);
  });
});

describe('a token request carrying the broker\'s assertion', () => {
  it('V2: adds act {sub, username, sessionId} to the ID and access tokens and writes one token_issued event', async () => {
    const event = tokenEvent<PreTokenGenerationV2TriggerEvent>(v2Event, { clientMetadata: brokerMetadata() });

    await expect(handler(event, lambdaContext())).resolves.toBe(event);

    const act = { sub: ADMIN.sub, username: ADMIN.username, sessionId: SESSION_ID };
    const details = event.response.claimsAndScopeOverrideDetails;
    expect(details.idTokenGeneration?.claimsToAddOrOverride).toEqual({ act });
    expect(details.accessTokenGeneration?.claimsToAddOrOverride).toEqual({ act });
    expect(event.response).not.toHaveProperty('claimsOverrideDetails');

    const events = logs.auditEvents();
    expect(events).toEqual([{
      schemaVersion: 1,
      time: expect.any(String),
      event: AUDIT_EVENT.TOKEN_ISSUED,
      strategy: STRATEGY.CUSTOM_CHALLENGE,
      source: SOURCE.PRE_TOKEN_GENERATION,
      userPoolId: USER_POOL_ID,
      clientId: DEDICATED_CLIENT_ID,
      requestId: REQUEST_ID,
      triggerSource: 'TokenGeneration_Authentication',
      actor: { sub: ADMIN.sub, username: ADMIN.username },
      target: { sub: TARGET.sub, username: TARGET.username },
      sessionId: SESSION_ID,
    }]);
    expect(logs.info).toHaveBeenCalledTimes(1);
    expect(logs.warn).not.toHaveBeenCalled();
    expectNothingSecretLogged(event);
    // No client id lookup is needed: the assertion is bound to the client.
    expect(ssmMock.calls()).toHaveLength(0);
  });

  it('V1: adds act to the ID token as a JSON string', async () => {
    const event = tokenEvent<PreTokenGenerationTriggerEvent>(v1Event, { clientMetadata: brokerMetadata() });

    await handler(event, lambdaContext());

    const claims = event.response.claimsOverrideDetails.claimsToAddOrOverride!;
    expect(Object.keys(claims)).toEqual(['act']);
    expect(typeof claims.act).toBe('string');
    expect(JSON.parse(claims.act)).toEqual({ sub: ADMIN.sub, username: ADMIN.username, sessionId: SESSION_ID });
    expect(logs.auditEvents()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.TOKEN_ISSUED, sessionId: SESSION_ID })]);
  });

  it('keeps overrides already in the response', async () => {
    const event = tokenEvent<PreTokenGenerationV2TriggerEvent>(v2Event, { clientMetadata: brokerMetadata() });
    event.response = {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme' }, claimsToSuppress: ['email'] },
        accessTokenGeneration: { scopesToAdd: ['orders/read'] },
        groupOverrideDetails: { groupsToOverride: ['customers'] },
      },
    };

    await handler(event, lambdaContext());

    const details = event.response.claimsAndScopeOverrideDetails;
    expect(details.idTokenGeneration).toEqual({
      claimsToAddOrOverride: { tenant: 'acme', act: expect.objectContaining({ sub: ADMIN.sub }) },
      claimsToSuppress: ['email'],
    });
    expect(details.accessTokenGeneration).toEqual({ scopesToAdd: ['orders/read'], claimsToAddOrOverride: { act: expect.objectContaining({ sub: ADMIN.sub }) } });
    expect(details.groupOverrideDetails).toEqual({ groupsToOverride: ['customers'] });
  });

  it('accepts an assertion signed with the previous key during a rotation', async () => {
    secret.beginRotation('version-0001');
    secret.versions.get('version-0001')!.value = keyValue(KEY_2);
    secret.versions.get('version-0001')!.stages = ['AWSCURRENT'];
    secret.versions.get('version-0000-initial')!.stages = ['AWSPREVIOUS'];
    const event = tokenEvent<PreTokenGenerationV2TriggerEvent>(v2Event, { clientMetadata: brokerMetadata(KEY_1) });

    await handler(event, lambdaContext());

    expect(event.response.claimsAndScopeOverrideDetails.idTokenGeneration?.claimsToAddOrOverride).toHaveProperty('act');
  });

  it('reads the keys once per cache period', async () => {
    for (let i = 0; i < 5; i++) {
      await handler(tokenEvent(v2Event, { clientMetadata: brokerMetadata() }), lambdaContext());
    }
    expect(signingKeyFetches()).toBe(1);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  describe('refused when the assertion does not check out (AssertionInvalid)', () => {
    const now = () => Math.floor(Date.now() / 1000);
    it.each<[string, () => AnyEvent]>([
      ['garbage', () => tokenEvent(v2Event, { clientMetadata: { [ASSERTION_METADATA_KEY]: 'let me in' } })],
      ['an empty value', () => tokenEvent(v2Event, { clientMetadata: { [ASSERTION_METADATA_KEY]: '' } })],
      ['expired', () => tokenEvent(v2Event, { clientMetadata: brokerMetadata(KEY_1, { expiresAt: now() - 1 }) })],
      ['signed with an unknown key', () => tokenEvent(v2Event, { clientMetadata: brokerMetadata(UNKNOWN_KEY) })],
      ['signed for the dedicated client, presented on another client', () => tokenEvent(v2Event, { clientId: OTHER_CLIENT_ID, clientMetadata: brokerMetadata() })],
      ['signed for another user', () => tokenEvent(v2Event, { clientMetadata: brokerMetadata(KEY_1, { targetUsername: OTHER_TARGET.username }) })],
      ['presented by another user', () => tokenEvent(v2Event, { userName: OTHER_TARGET.username, sub: OTHER_TARGET.sub, clientMetadata: brokerMetadata() })],
      ['with the actor changed after signing', () => {
        const answer = JSON.parse(signedAnswer(KEY_1, newNonce()));
        answer.actorUsername = 'mallory.support';
        return tokenEvent(v2Event, { clientMetadata: { [ASSERTION_METADATA_KEY]: JSON.stringify(answer) } });
      }],
      ['V1, expired', () => tokenEvent(v1Event, { clientMetadata: brokerMetadata(KEY_1, { expiresAt: now() - 120 }) })],
    ])('%s', async (_, build) => {
      await expectRefusal(build(), DENIAL_REASON.ASSERTION_INVALID);
    });
  });

  it('refused when the key cannot be read (LookupFailed), fail closed', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'boom', $metadata: {} }));
    await expectRefusal(tokenEvent(v2Event, { clientMetadata: brokerMetadata() }), DENIAL_REASON.LOOKUP_FAILED);
  });
});
