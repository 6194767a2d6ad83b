import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PreTokenGenerationTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ADMIN,
  ADMIN_GROUP,
  CLIENT_ID,
  DEFAULT_ENV,
  PROTECTED_GROUP,
  REASON,
  REQUEST_ID,
  TARGET,
  USER_POOL_ID,
  UUID,
  adminGetUserOutput,
  groupsPage,
  impersonationMetadata,
  isIsoTime,
  lambdaContext,
  setImpersonationEnv,
  v1Event,
  v2Event,
} from './fixtures/common';
import { ImpersonationRefused } from '../../lambda-src/common/errors';
import { handler } from '../../lambda-src/pre-token-generation.lambda';
import { AUDIT_EVENT, CLIENT_METADATA, DENIAL_REASON, LIMITS, SOURCE, STRATEGY } from '../../src/private/contract';

type AnyEvent = PreTokenGenerationV2TriggerEvent | PreTokenGenerationTriggerEvent;
type Record_ = Record<string, any>;

const cognitoMock = mockClient(CognitoIdentityProviderClient);

let restoreEnv: () => void;
let info: jest.SpyInstance;
let warn: jest.SpyInstance;
let log: jest.SpyInstance;
let error: jest.SpyInstance;

beforeEach(() => {
  cognitoMock.reset();
  restoreEnv = setImpersonationEnv(DEFAULT_ENV);
  info = jest.spyOn(console, 'info').mockImplementation(() => {});
  warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  log = jest.spyOn(console, 'log').mockImplementation(() => {});
  error = jest.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  restoreEnv();
  jest.restoreAllMocks();
});

afterAll(() => {
  cognitoMock.restore();
});

/** The target exists, is enabled and is in `groups` (one page). */
function targetExists(options: { groups?: string[]; username?: string; sub?: string; enabled?: boolean } = {}): void {
  const { groups = ['customers'], ...user } = options;
  cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput(user));
  cognitoMock.on(AdminListGroupsForUserCommand).resolves(groupsPage(groups));
}

/** Everything the handler wrote to the console. */
function loggedText(): string {
  return JSON.stringify([info, warn, log, error].map((spy) => spy.mock.calls));
}

/** The audit event the handler wrote for a grant; asserts it is the only one. */
function grantedRecord(): Record_ {
  expect(warn).not.toHaveBeenCalled();
  expect(info).toHaveBeenCalledTimes(1);
  expect(info.mock.calls[0]).toHaveLength(1);
  return info.mock.calls[0][0];
}

interface Refusal {
  /** `target` of the audit event. */
  readonly target?: Record_;
  /** `reason` of the audit event. */
  readonly reason?: string;
  readonly triggerSource?: string;
}

/**
 * Runs the handler, expects it to refuse with `denialReason`, and checks the one
 * `impersonation.denied` audit event it wrote. Returns that event.
 */
async function expectRefusal(event: AnyEvent, denialReason: string, expected: Refusal = {}): Promise<Record_> {
  const responseBefore = structuredClone(event.response);
  const thrown = await handler(event, lambdaContext()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(ImpersonationRefused);
  expect((thrown as ImpersonationRefused).message).toBe(`Impersonation refused: ${denialReason}`);
  expect((thrown as ImpersonationRefused).denialReason).toBe(denialReason);
  // No claim, nor any other change, reaches the response.
  expect(event.response).toStrictEqual(responseBefore);

  expect(info).not.toHaveBeenCalled();
  expect(warn).toHaveBeenCalledTimes(1);
  expect(warn.mock.calls[0]).toHaveLength(1);
  const record = warn.mock.calls[0][0];
  expect(record).toEqual({
    schemaVersion: 1,
    time: expect.any(String),
    event: AUDIT_EVENT.DENIED,
    denialReason,
    strategy: STRATEGY.PRE_TOKEN_GENERATION,
    source: SOURCE.PRE_TOKEN_GENERATION,
    userPoolId: USER_POOL_ID,
    clientId: CLIENT_ID,
    requestId: REQUEST_ID,
    triggerSource: expected.triggerSource ?? event.triggerSource,
    actor: { sub: ADMIN.sub, username: ADMIN.username },
    target: expected.target ?? { requested: TARGET.username },
    reason: 'reason' in expected ? expected.reason : REASON,
  });
  expect(isIsoTime(record.time)).toBe(true);
  return record;
}

describe('ordinary sign-in', () => {
  const ordinaryEvents: Array<[string, () => AnyEvent]> = [
    ['V2 without clientMetadata', () => v2Event({ clientMetadata: undefined })],
    ['V2 with empty clientMetadata', () => v2Event({ clientMetadata: {} })],
    ['V2 with unrelated clientMetadata', () => v2Event({ clientMetadata: { locale: 'de-DE', Impersonate: TARGET.username, impersonation: 'x' } })],
    ['V1 without clientMetadata', () => v1Event({ clientMetadata: undefined })],
    ['V1 with unrelated clientMetadata', () => v1Event({ clientMetadata: { locale: 'fr-FR' } })],
    ['a token refresh', () => v2Event({ triggerSource: 'TokenGeneration_RefreshTokens', clientMetadata: undefined })],
    ['a non-admin', () => v2Event({ groups: ['customers'], clientMetadata: {} })],
  ];

  it.each(ordinaryEvents)('%s: returns the very same event, unchanged, with no AWS call and no audit event', async (_, build) => {
    const event = build();
    const before = structuredClone(event);

    const result = await handler(event, lambdaContext());

    expect(result).toBe(event);
    expect(event).toStrictEqual(before);
    expect(cognitoMock.calls()).toHaveLength(0);
    expect(info).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });

  it('does not depend on the impersonation configuration (a misconfigured function never blocks ordinary sign-in)', async () => {
    restoreEnv();
    restoreEnv = setImpersonationEnv({ ADMIN_GROUP: undefined, PROTECTED_GROUPS: 'not json' });
    const event = v2Event({ clientMetadata: { locale: 'de-DE' } });
    const before = structuredClone(event);

    await expect(handler(event, lambdaContext())).resolves.toBe(event);
    expect(event).toStrictEqual(before);
    expect(cognitoMock.calls()).toHaveLength(0);
  });
});

describe('loading the AWS SDK', () => {
  const SDK = '@aws-sdk/client-cognito-identity-provider';
  type Sdk = typeof import('@aws-sdk/client-cognito-identity-provider');
  type HandlerModule = typeof import('../../lambda-src/pre-token-generation.lambda');

  it('an ordinary sign-in never loads it; an impersonation request does', async () => {
    let sdkLoads = 0;
    try {
      await jest.isolateModulesAsync(async () => {
        jest.doMock(SDK, () => {
          sdkLoads += 1;
          return jest.requireActual<Sdk>(SDK);
        });
        const isolated = jest.requireActual<HandlerModule>('../../lambda-src/pre-token-generation.lambda');

        await isolated.handler(v2Event({ clientMetadata: undefined }), lambdaContext());
        await isolated.handler(v1Event({ clientMetadata: { locale: 'de-DE' } }), lambdaContext());
        expect(sdkLoads).toBe(0);

        // The same SDK instance the isolated handler will get from the mock factory.
        const sdk = jest.requireActual<Sdk>(SDK);
        const isolatedMock = mockClient(sdk.CognitoIdentityProviderClient);
        try {
          isolatedMock.on(sdk.AdminGetUserCommand).resolves(adminGetUserOutput());
          isolatedMock.on(sdk.AdminListGroupsForUserCommand).resolves(groupsPage([]));
          const event = v2Event();
          await isolated.handler(event, lambdaContext());

          expect(sdkLoads).toBe(1);
          expect(isolatedMock.commandCalls(sdk.AdminGetUserCommand)).toHaveLength(1);
          expect(event.response.claimsAndScopeOverrideDetails.idTokenGeneration?.claimsToAddOrOverride).toHaveProperty('impersonating');
        } finally {
          isolatedMock.restore();
        }
      });
    } finally {
      jest.dontMock(SDK);
    }
    expect(sdkLoads).toBe(1);
  });
});

describe('granted', () => {
  it('V2: adds the same object claim to the ID and access tokens and writes one granted event', async () => {
    targetExists();
    const event = v2Event();

    const result = await handler(event, lambdaContext());

    expect(result).toBe(event);
    const details = event.response.claimsAndScopeOverrideDetails;
    const idClaim = details.idTokenGeneration?.claimsToAddOrOverride?.impersonating as unknown as Record_;
    const accessClaim = details.accessTokenGeneration?.claimsToAddOrOverride?.impersonating as unknown as Record_;
    expect(idClaim).toEqual({ sub: TARGET.sub, username: TARGET.username, sessionId: expect.stringMatching(UUID) });
    expect(accessClaim).toEqual(idClaim);
    expect(Object.keys(idClaim).sort()).toEqual(['sessionId', 'sub', 'username']);
    expect(details.idTokenGeneration?.claimsToAddOrOverride).toEqual({ impersonating: idClaim });
    expect(details.accessTokenGeneration?.claimsToAddOrOverride).toEqual({ impersonating: idClaim });
    expect(event.response).not.toHaveProperty('claimsOverrideDetails');

    const record = grantedRecord();
    expect(record).toEqual({
      schemaVersion: 1,
      time: expect.any(String),
      event: AUDIT_EVENT.GRANTED,
      strategy: STRATEGY.PRE_TOKEN_GENERATION,
      source: SOURCE.PRE_TOKEN_GENERATION,
      userPoolId: USER_POOL_ID,
      clientId: CLIENT_ID,
      requestId: REQUEST_ID,
      triggerSource: 'TokenGeneration_Authentication',
      actor: { sub: ADMIN.sub, username: ADMIN.username },
      target: { sub: TARGET.sub, username: TARGET.username, requested: TARGET.username },
      reason: REASON,
      sessionId: idClaim.sessionId,
    });
    expect(isIsoTime(record.time)).toBe(true);
  });

  it('looks the target up in the event\'s user pool, and lists the groups of the username Cognito returns', async () => {
    targetExists();
    await handler(v2Event({ clientMetadata: impersonationMetadata(TARGET.email) }), lambdaContext());

    const getUser = cognitoMock.commandCalls(AdminGetUserCommand);
    expect(getUser).toHaveLength(1);
    expect(getUser[0].args[0].input).toEqual({ UserPoolId: USER_POOL_ID, Username: TARGET.email });
    const listGroups = cognitoMock.commandCalls(AdminListGroupsForUserCommand);
    expect(listGroups).toHaveLength(1);
    expect(listGroups[0].args[0].input).toEqual({ UserPoolId: USER_POOL_ID, Username: TARGET.username, Limit: 60 });
    // The audit event says who was asked for and who was resolved.
    expect(grantedRecord().target).toEqual({ sub: TARGET.sub, username: TARGET.username, requested: TARGET.email });
  });

  it('V2: preserves overrides already in the response', async () => {
    targetExists();
    const event = v2Event({}, {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme' }, claimsToSuppress: ['phone_number'] },
        accessTokenGeneration: { claimsToAddOrOverride: { plan: 'pro' }, scopesToAdd: ['orders/read'], scopesToSuppress: ['admin'] },
        groupOverrideDetails: { groupsToOverride: ['x'], iamRolesToOverride: [], preferredRole: undefined },
      },
    });

    await handler(event, lambdaContext());

    const details = event.response.claimsAndScopeOverrideDetails;
    const claim = details.idTokenGeneration?.claimsToAddOrOverride?.impersonating;
    expect(claim).toEqual({ sub: TARGET.sub, username: TARGET.username, sessionId: expect.stringMatching(UUID) });
    expect(details).toEqual({
      idTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme', impersonating: claim }, claimsToSuppress: ['phone_number'] },
      accessTokenGeneration: { claimsToAddOrOverride: { plan: 'pro', impersonating: claim }, scopesToAdd: ['orders/read'], scopesToSuppress: ['admin'] },
      groupOverrideDetails: { groupsToOverride: ['x'], iamRolesToOverride: [], preferredRole: undefined },
    });
  });

  it('V2 with an empty response object also gets both claims', async () => {
    targetExists();
    const event = v2Event({}, {} as PreTokenGenerationV2TriggerEvent['response']);

    await handler(event, lambdaContext());

    const details = event.response.claimsAndScopeOverrideDetails;
    expect(details.idTokenGeneration?.claimsToAddOrOverride?.impersonating).toMatchObject({ username: TARGET.username });
    expect(details.accessTokenGeneration?.claimsToAddOrOverride?.impersonating).toMatchObject({ username: TARGET.username });
  });

  it('version 3 events are treated like V2 (object claims in both tokens)', async () => {
    targetExists();
    const event = { ...v2Event(), version: '3' };

    await handler(event, lambdaContext());

    const details = event.response.claimsAndScopeOverrideDetails;
    expect(details.idTokenGeneration?.claimsToAddOrOverride?.impersonating).toMatchObject({ sub: TARGET.sub });
    expect(details.accessTokenGeneration?.claimsToAddOrOverride?.impersonating).toMatchObject({ sub: TARGET.sub });
    expect(event.response).not.toHaveProperty('claimsOverrideDetails');
  });

  it.each([
    'TokenGeneration_HostedAuth',
    'TokenGeneration_Authentication',
    'TokenGeneration_NewPasswordChallenge',
    'TokenGeneration_AuthenticateDevice',
  ])('is granted for %s', async (triggerSource) => {
    targetExists();
    const event = v2Event({ triggerSource });

    await handler(event, lambdaContext());

    expect(event.response.claimsAndScopeOverrideDetails.idTokenGeneration?.claimsToAddOrOverride).toHaveProperty('impersonating');
    expect(grantedRecord().triggerSource).toBe(triggerSource);
  });

  it('V1: adds the claim to the ID token as a JSON string, and nothing V2', async () => {
    targetExists();
    const event = v1Event();

    const result = await handler(event, lambdaContext());

    expect(result).toBe(event);
    const claims = event.response.claimsOverrideDetails.claimsToAddOrOverride;
    expect(Object.keys(claims ?? {})).toEqual(['impersonating']);
    const encoded = claims?.impersonating;
    expect(typeof encoded).toBe('string');
    const claim = JSON.parse(encoded as string);
    expect(claim).toEqual({ sub: TARGET.sub, username: TARGET.username, sessionId: expect.stringMatching(UUID) });
    expect(event.response).not.toHaveProperty('claimsAndScopeOverrideDetails');

    const record = grantedRecord();
    expect(record.sessionId).toBe(claim.sessionId);
    expect(record).toMatchObject({
      event: AUDIT_EVENT.GRANTED,
      triggerSource: 'TokenGeneration_HostedAuth',
      target: { sub: TARGET.sub, username: TARGET.username, requested: TARGET.username },
      reason: REASON,
    });
  });

  it('V1: preserves overrides already in the response', async () => {
    targetExists();
    const event = v1Event({}, {
      claimsOverrideDetails: {
        claimsToAddOrOverride: { tenant: 'acme' },
        claimsToSuppress: ['phone_number'],
        groupOverrideDetails: { groupsToOverride: ['x'] },
      },
    });

    await handler(event, lambdaContext());

    const details = event.response.claimsOverrideDetails;
    expect(details.claimsToSuppress).toEqual(['phone_number']);
    expect(details.groupOverrideDetails).toEqual({ groupsToOverride: ['x'] });
    expect(details.claimsToAddOrOverride?.tenant).toBe('acme');
    expect(JSON.parse(details.claimsToAddOrOverride?.impersonating as string)).toMatchObject({ username: TARGET.username });
  });

  it('uses the claim name from the environment', async () => {
    restoreEnv();
    restoreEnv = setImpersonationEnv({ ...DEFAULT_ENV, CLAIM_NAME: 'act_as' });
    targetExists();
    const v2 = v2Event();
    const v1 = v1Event();

    await handler(v2, lambdaContext());
    await handler(v1, lambdaContext());

    const details = v2.response.claimsAndScopeOverrideDetails;
    expect(Object.keys(details.idTokenGeneration?.claimsToAddOrOverride ?? {})).toEqual(['act_as']);
    expect(Object.keys(details.accessTokenGeneration?.claimsToAddOrOverride ?? {})).toEqual(['act_as']);
    expect(Object.keys(v1.response.claimsOverrideDetails.claimsToAddOrOverride ?? {})).toEqual(['act_as']);
  });

  it('gives every grant its own session id, the one in its audit event', async () => {
    targetExists();
    const first = v2Event();
    const second = v2Event();

    await handler(first, lambdaContext());
    await handler(second, lambdaContext());

    const sessionOf = (e: PreTokenGenerationV2TriggerEvent) =>
      (e.response.claimsAndScopeOverrideDetails.idTokenGeneration?.claimsToAddOrOverride?.impersonating as unknown as Record_).sessionId;
    expect(sessionOf(first)).not.toBe(sessionOf(second));
    expect(info).toHaveBeenCalledTimes(2);
    expect(info.mock.calls.map((call) => call[0].sessionId)).toEqual([sessionOf(first), sessionOf(second)]);
  });

  it('trims the target and the reason', async () => {
    targetExists();
    await handler(v2Event({ clientMetadata: impersonationMetadata(`  ${TARGET.username}\u00a0`, `  ${REASON}  `) }), lambdaContext());

    expect(cognitoMock.commandCalls(AdminGetUserCommand)[0].args[0].input.Username).toBe(TARGET.username);
    const record = grantedRecord();
    expect(record.reason).toBe(REASON);
    expect(record.target.requested).toBe(`  ${TARGET.username}\u00a0`);
  });

  it('accepts a target of exactly the maximum length and a reason of exactly the maximum length', async () => {
    const longTarget = 'u'.repeat(LIMITS.MAX_TARGET_LENGTH);
    const longReason = 'r'.repeat(LIMITS.DEFAULT_MAX_REASON_LENGTH);
    targetExists({ username: longTarget });

    await handler(v2Event({ clientMetadata: impersonationMetadata(longTarget, longReason) }), lambdaContext());

    expect(grantedRecord()).toMatchObject({ reason: longReason, target: { username: longTarget, requested: longTarget } });
  });

  it('does not require a reason when IMPERSONATION_REQUIRE_REASON is "false"', async () => {
    restoreEnv();
    restoreEnv = setImpersonationEnv({ ...DEFAULT_ENV, REQUIRE_REASON: 'false' });
    targetExists();
    const event = v2Event({ clientMetadata: { [CLIENT_METADATA.TARGET]: TARGET.username } });

    await handler(event, lambdaContext());

    expect(event.response.claimsAndScopeOverrideDetails.idTokenGeneration?.claimsToAddOrOverride).toHaveProperty('impersonating');
    const record = grantedRecord();
    expect(record.reason).toBeUndefined();
    expect(record.event).toBe(AUDIT_EVENT.GRANTED);
  });

  it('grants a target in unprotected groups over several pages, after reading every page', async () => {
    cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput());
    cognitoMock.on(AdminListGroupsForUserCommand)
      .resolvesOnce(groupsPage(['customers'], 'page-2'))
      .resolvesOnce(groupsPage(['beta-testers'], 'page-3'))
      .resolvesOnce(groupsPage(['newsletter']));

    await handler(v2Event(), lambdaContext());

    const pages = cognitoMock.commandCalls(AdminListGroupsForUserCommand).map((call) => call.args[0].input.NextToken);
    expect(pages).toEqual([undefined, 'page-2', 'page-3']);
    expect(grantedRecord().event).toBe(AUDIT_EVENT.GRANTED);
  });

  it('reuses one Cognito client across invocations', async () => {
    targetExists();
    await handler(v2Event(), lambdaContext());
    await handler(v2Event(), lambdaContext());

    const clients = cognitoMock.calls().map((call) => call.thisValue);
    expect(clients).toHaveLength(4);
    expect(new Set(clients).size).toBe(1);
    expect(clients[0]).toBeInstanceOf(CognitoIdentityProviderClient);
  });
});

describe('refused', () => {
  describe('NotAdmin', () => {
    it.each<[string, string[] | undefined]>([
      ['no groups', []],
      ['other groups only', ['customers', 'beta-testers']],
      ['a group whose name differs only in case', ['Support-Impersonators']],
      ['a protected group that is not the admin group', [PROTECTED_GROUP]],
      ['groupsToOverride absent', undefined],
    ])('%s', async (_, groups) => {
      targetExists();
      await expectRefusal(v2Event({ groups }), DENIAL_REASON.NOT_ADMIN);
      expect(cognitoMock.calls()).toHaveLength(0);
    });

    it('without any groupConfiguration', async () => {
      const event = v2Event();
      delete (event.request as Partial<typeof event.request>).groupConfiguration;
      await expectRefusal(event, DENIAL_REASON.NOT_ADMIN);
      expect(cognitoMock.calls()).toHaveLength(0);
    });

    it('comes first: before the refresh check and before the request is validated', async () => {
      await expectRefusal(
        v2Event({ groups: [], triggerSource: 'TokenGeneration_RefreshTokens', clientMetadata: { [CLIENT_METADATA.TARGET]: '' } }),
        DENIAL_REASON.NOT_ADMIN,
        { target: { requested: '' }, reason: undefined },
      );
      expect(cognitoMock.calls()).toHaveLength(0);
    });

    it('a reason alone is an impersonation request too', async () => {
      await expectRefusal(
        v2Event({ groups: [], clientMetadata: { [CLIENT_METADATA.REASON]: REASON } }),
        DENIAL_REASON.NOT_ADMIN,
        { target: { requested: undefined } },
      );
    });

    it('a request without user attributes or groups (e.g. client credentials) is refused, with no actor sub', async () => {
      const event = { ...v2Event(), version: '3', triggerSource: 'TokenGeneration_ClientCredentials' as const };
      delete (event.request as Partial<typeof event.request>).userAttributes;
      delete (event.request as Partial<typeof event.request>).groupConfiguration;

      await expect(handler(event, lambdaContext())).rejects.toThrow(new Error('Impersonation refused: NotAdmin'));

      expect(cognitoMock.calls()).toHaveLength(0);
      expect(info).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatchObject({
        event: AUDIT_EVENT.DENIED,
        denialReason: DENIAL_REASON.NOT_ADMIN,
        triggerSource: 'TokenGeneration_ClientCredentials',
        actor: { sub: undefined, username: ADMIN.username },
      });
    });

    it('V1 events are refused the same way', async () => {
      await expectRefusal(v1Event({ groups: ['customers'] }), DENIAL_REASON.NOT_ADMIN);
      expect(cognitoMock.calls()).toHaveLength(0);
    });
  });

  it('RefreshNotAllowed: an admin cannot add the claim on refresh', async () => {
    targetExists();
    await expectRefusal(v2Event({ triggerSource: 'TokenGeneration_RefreshTokens' }), DENIAL_REASON.REFRESH_NOT_ALLOWED);
    expect(cognitoMock.calls()).toHaveLength(0);
  });

  describe('InvalidRequest', () => {
    const tooLong = 'a'.repeat(LIMITS.MAX_TARGET_LENGTH + 1);
    it.each<[string, Record<string, unknown>, Refusal]>([
      ['a missing target', { [CLIENT_METADATA.REASON]: REASON }, { target: { requested: undefined } }],
      ['an empty target', impersonationMetadata(''), { target: { requested: '' } }],
      ['a blank target', impersonationMetadata(' \t '), { target: { requested: ' \t ' } }],
      ['a target longer than 128 characters', impersonationMetadata(tooLong),
        { target: { requested: `${'a'.repeat(LIMITS.MAX_TARGET_LENGTH)}…` } }],
      ['a target with a newline', impersonationMetadata('bob\ncustomer'), { target: { requested: 'bob\ncustomer' } }],
      ['a target with a NUL', impersonationMetadata('bob\u0000'), { target: { requested: 'bob\u0000' } }],
      ['a target with DEL', impersonationMetadata('bob\u007f'), { target: { requested: 'bob\u007f' } }],
      ['a target with a C1 control character (NEL)', impersonationMetadata('bob\u0085x'), { target: { requested: 'bob\u0085x' } }],
      ['a target that is not a string', { [CLIENT_METADATA.TARGET]: 42, [CLIENT_METADATA.REASON]: REASON }, { target: { requested: undefined } }],
      ['a reason that is not a string', { [CLIENT_METADATA.TARGET]: TARGET.username, [CLIENT_METADATA.REASON]: 42 }, { reason: undefined }],
      ['a reason longer than the maximum', impersonationMetadata(TARGET.username, 'r'.repeat(LIMITS.DEFAULT_MAX_REASON_LENGTH + 1)),
        { reason: 'r'.repeat(LIMITS.DEFAULT_MAX_REASON_LENGTH + 1) }],
      ['a reason with a control character', impersonationMetadata(TARGET.username, 'line one\nline two'), { reason: 'line one\nline two' }],
    ])('%s', async (_, clientMetadata, expected) => {
      targetExists();
      await expectRefusal(v2Event({ clientMetadata }), DENIAL_REASON.INVALID_REQUEST, expected);
      expect(cognitoMock.calls()).toHaveLength(0);
    });

    it('a reason longer than a configured maximum', async () => {
      restoreEnv();
      restoreEnv = setImpersonationEnv({ ...DEFAULT_ENV, MAX_REASON_LENGTH: '10' });
      targetExists();
      await expectRefusal(
        v2Event({ clientMetadata: impersonationMetadata(TARGET.username, 'SUP-1234567') }),
        DENIAL_REASON.INVALID_REQUEST,
        { reason: 'SUP-1234567' },
      );
      expect(cognitoMock.calls()).toHaveLength(0);
    });

    it('a reason of exactly a configured maximum is accepted', async () => {
      restoreEnv();
      restoreEnv = setImpersonationEnv({ ...DEFAULT_ENV, MAX_REASON_LENGTH: '10' });
      targetExists();
      await handler(v2Event({ clientMetadata: impersonationMetadata(TARGET.username, 'SUP-123456') }), lambdaContext());
      expect(grantedRecord().reason).toBe('SUP-123456');
    });

    it('bounds a huge reason in the audit event', async () => {
      const huge = 'x'.repeat(10_000);
      const record = await expectRefusal(
        v2Event({ clientMetadata: impersonationMetadata(TARGET.username, huge) }),
        DENIAL_REASON.INVALID_REQUEST,
        { reason: `${'x'.repeat(LIMITS.MAX_REASON_LENGTH)}…` },
      );
      expect(record.reason).toHaveLength(LIMITS.MAX_REASON_LENGTH + 1);
    });
  });

  describe('ReasonRequired', () => {
    it.each<[string, Record<string, string>, string | undefined]>([
      ['no reason', { [CLIENT_METADATA.TARGET]: TARGET.username }, undefined],
      ['an empty reason', impersonationMetadata(TARGET.username, ''), ''],
      ['a blank reason', impersonationMetadata(TARGET.username, '   '), '   '],
    ])('%s', async (_, clientMetadata, reason) => {
      targetExists();
      await expectRefusal(v2Event({ clientMetadata }), DENIAL_REASON.REASON_REQUIRED, { reason });
      expect(cognitoMock.calls()).toHaveLength(0);
    });

    it.each(['true', 'FALSE', '0', 'no', ''])('IMPERSONATION_REQUIRE_REASON=%j still requires one', async (value) => {
      restoreEnv();
      restoreEnv = setImpersonationEnv({ ...DEFAULT_ENV, REQUIRE_REASON: value });
      await expectRefusal(
        v2Event({ clientMetadata: { [CLIENT_METADATA.TARGET]: TARGET.username } }),
        DENIAL_REASON.REASON_REQUIRED,
        { reason: undefined },
      );
    });
  });

  describe('SelfImpersonation', () => {
    it('the target has the admin\'s sub', async () => {
      targetExists({ username: 'alice-alias', sub: ADMIN.sub });
      await expectRefusal(v2Event({ clientMetadata: impersonationMetadata('alice-alias') }), DENIAL_REASON.SELF_IMPERSONATION, {
        target: { sub: ADMIN.sub, username: 'alice-alias', requested: 'alice-alias' },
      });
    });

    it('the target has the admin\'s username', async () => {
      targetExists({ username: ADMIN.username, sub: '33333333-aaaa-4bbb-8ccc-000000000003' });
      await expectRefusal(v2Event({ clientMetadata: impersonationMetadata(ADMIN.email) }), DENIAL_REASON.SELF_IMPERSONATION, {
        target: { sub: '33333333-aaaa-4bbb-8ccc-000000000003', username: ADMIN.username, requested: ADMIN.email },
      });
    });
  });

  it('TargetNotFound: AdminGetUser says the user does not exist', async () => {
    cognitoMock.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    await expectRefusal(v2Event(), DENIAL_REASON.TARGET_NOT_FOUND);
    expect(cognitoMock.commandCalls(AdminListGroupsForUserCommand)).toHaveLength(0);
  });

  it('TargetDisabled: the target is disabled', async () => {
    targetExists({ enabled: false });
    await expectRefusal(v2Event(), DENIAL_REASON.TARGET_DISABLED, {
      target: { sub: TARGET.sub, username: TARGET.username, requested: TARGET.username },
    });
  });

  describe('TargetProtected', () => {
    const resolvedTarget = { sub: TARGET.sub, username: TARGET.username, requested: TARGET.username };

    it('the target is in the admin group', async () => {
      targetExists({ groups: ['customers', ADMIN_GROUP] });
      await expectRefusal(v2Event(), DENIAL_REASON.TARGET_PROTECTED, { target: resolvedTarget });
    });

    it('the admin group is protected even when IMPERSONATION_PROTECTED_GROUPS does not list it', async () => {
      restoreEnv();
      restoreEnv = setImpersonationEnv({ ADMIN_GROUP, PROTECTED_GROUPS: undefined });
      targetExists({ groups: [ADMIN_GROUP] });
      await expectRefusal(v2Event(), DENIAL_REASON.TARGET_PROTECTED, { target: resolvedTarget });
    });

    it('the target is in a configured protected group', async () => {
      targetExists({ groups: [PROTECTED_GROUP] });
      await expectRefusal(v2Event(), DENIAL_REASON.TARGET_PROTECTED, { target: resolvedTarget });
    });

    it('the protected group is only on the second page of the target\'s groups', async () => {
      cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput());
      cognitoMock.on(AdminListGroupsForUserCommand)
        .resolvesOnce(groupsPage(['customers'], 'page-2-token'))
        .resolvesOnce(groupsPage([PROTECTED_GROUP]));

      await expectRefusal(v2Event(), DENIAL_REASON.TARGET_PROTECTED, { target: resolvedTarget });

      const calls = cognitoMock.commandCalls(AdminListGroupsForUserCommand);
      expect(calls).toHaveLength(2);
      expect(calls[0].args[0].input).toEqual({ UserPoolId: USER_POOL_ID, Username: TARGET.username, Limit: 60 });
      expect(calls[1].args[0].input).toEqual({ UserPoolId: USER_POOL_ID, Username: TARGET.username, Limit: 60, NextToken: 'page-2-token' });
    });
  });

  describe('LookupFailed', () => {
    it('AdminGetUser fails', async () => {
      cognitoMock.on(AdminGetUserCommand).rejects(new Error('Rate exceeded: internal detail 10.0.0.1'));
      const record = await expectRefusal(v2Event(), DENIAL_REASON.LOOKUP_FAILED);
      expect(JSON.stringify(record)).not.toContain('internal detail');
    });

    it('AdminListGroupsForUser fails', async () => {
      cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput());
      cognitoMock.on(AdminListGroupsForUserCommand).rejects(new Error('AccessDenied: internal detail'));
      const record = await expectRefusal(v2Event(), DENIAL_REASON.LOOKUP_FAILED);
      expect(JSON.stringify(record)).not.toContain('internal detail');
    });

    it('a later page of AdminListGroupsForUser fails', async () => {
      cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput());
      cognitoMock.on(AdminListGroupsForUserCommand)
        .resolvesOnce(groupsPage(['customers'], 'page-2'))
        .rejectsOnce(new Error('Throttled'));
      await expectRefusal(v2Event(), DENIAL_REASON.LOOKUP_FAILED);
    });
  });

  describe('misconfiguration refuses (fails closed) instead of crashing or allowing', () => {
    it.each<[string, Parameters<typeof setImpersonationEnv>[0]]>([
      ['IMPERSONATION_ADMIN_GROUP unset', { PROTECTED_GROUPS: DEFAULT_ENV.PROTECTED_GROUPS }],
      ['IMPERSONATION_ADMIN_GROUP empty', { ...DEFAULT_ENV, ADMIN_GROUP: '' }],
      ['IMPERSONATION_PROTECTED_GROUPS not JSON', { ...DEFAULT_ENV, PROTECTED_GROUPS: 'billing-admins' }],
      ['IMPERSONATION_PROTECTED_GROUPS not an array of strings', { ...DEFAULT_ENV, PROTECTED_GROUPS: '{"billing-admins":true}' }],
      ['IMPERSONATION_MAX_REASON_LENGTH not a number', { ...DEFAULT_ENV, MAX_REASON_LENGTH: 'lots' }],
    ])('%s', async (_, env) => {
      restoreEnv();
      restoreEnv = setImpersonationEnv(env);
      targetExists();
      await expectRefusal(v2Event(), DENIAL_REASON.MISCONFIGURED);
      expect(cognitoMock.calls()).toHaveLength(0);
    });
  });
});

describe('audit events never carry attribute values or the raw ClientMetadata', () => {
  const secretMetadata = { 'x-debug-token': 'metadata-secret-value-123' };

  it.each<[string, () => AnyEvent, () => void]>([
    ['a V2 grant', () => v2Event({ clientMetadata: { ...impersonationMetadata(), ...secretMetadata } }), () => targetExists()],
    ['a V1 grant', () => v1Event({ clientMetadata: { ...impersonationMetadata(), ...secretMetadata } }), () => targetExists()],
    ['NotAdmin', () => v2Event({ groups: [], clientMetadata: { ...impersonationMetadata(), ...secretMetadata } }), () => targetExists()],
    ['InvalidRequest', () => v2Event({ clientMetadata: { ...impersonationMetadata(''), ...secretMetadata } }), () => targetExists()],
    ['TargetProtected', () => v2Event({ clientMetadata: { ...impersonationMetadata(), ...secretMetadata } }),
      () => targetExists({ groups: [PROTECTED_GROUP] })],
    ['LookupFailed', () => v2Event({ clientMetadata: { ...impersonationMetadata(), ...secretMetadata } }),
      () => cognitoMock.on(AdminGetUserCommand).rejects(new Error('boom'))],
  ])('%s', async (_, build, arrange) => {
    arrange();
    const event = build();
    await handler(event, lambdaContext()).catch(() => undefined);

    expect(info.mock.calls.length + warn.mock.calls.length).toBe(1);
    expect(log).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    const text = loggedText();
    expect(text).toContain(ADMIN.sub);
    for (const value of [ADMIN.email, ADMIN.phoneNumber, ADMIN.givenName, TARGET.email, TARGET.phoneNumber, secretMetadata['x-debug-token']]) {
      expect(text).not.toContain(value);
    }
    const record = [...info.mock.calls, ...warn.mock.calls][0][0];
    expect(Object.keys(record)).not.toContain('clientMetadata');
    expect(Object.keys(record)).not.toContain('userAttributes');
    expect(Object.values(record)).not.toContainEqual(event.request.clientMetadata);
  });
});
