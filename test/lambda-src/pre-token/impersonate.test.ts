import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { ImpersonationRefused } from '../../../lambda-src/common/errors';
import { impersonate } from '../../../lambda-src/pre-token/impersonate';
import { AUDIT_EVENT, DENIAL_REASON } from '../../../src/private/contract';
import { DEFAULT_ENV, REQUEST_ID, setImpersonationEnv, v2Event } from '../fixtures/common';

// The handler tests (../pre-token-generation.lambda.test.ts) cover this module end to end;
// this covers what the handler never passes it.

const cognitoMock = mockClient(CognitoIdentityProviderClient);
let restoreEnv: () => void;
let warn: jest.SpyInstance;

beforeEach(() => {
  cognitoMock.reset();
  restoreEnv = setImpersonationEnv(DEFAULT_ENV);
  jest.spyOn(console, 'info').mockImplementation(() => {});
  warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  restoreEnv();
  jest.restoreAllMocks();
});

afterAll(() => {
  cognitoMock.restore();
});

describe('impersonate', () => {
  it('refuses an event without ClientMetadata as an invalid request, without calling Cognito', async () => {
    const event = v2Event({ clientMetadata: undefined });

    await expect(impersonate(event, { awsRequestId: REQUEST_ID })).rejects.toThrow(new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST));

    expect(cognitoMock.calls()).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({
      event: AUDIT_EVENT.DENIED,
      denialReason: DENIAL_REASON.INVALID_REQUEST,
      target: { requested: undefined },
      reason: undefined,
    });
  });
});
