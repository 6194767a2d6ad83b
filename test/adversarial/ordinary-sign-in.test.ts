/**
 * Item 9 of issue 10: whatever the hardening of the customChallenge path, an ordinary sign-in
 * through the BUNDLED Pre Token Generation trigger stays untouched: the event comes back as it
 * went in (same object, same content), with no AWS call and no audit event, for both strategies
 * that use the trigger, over at least 10,000 fuzzed events each.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { AuditLog, freshContainer, withEnv } from './kit/bundles';
import { impersonationEvent } from './kit/custom-challenge';
import { DEDICATED_CLIENT_ID } from './kit/tokens';
import { ASSERTION_METADATA_KEY, CLIENT_METADATA, ENV, STRATEGY } from '../../src/private/contract';
import { CLIENT_ID_PARAMETER, FakeSecret, KEY_1, SECRET_ARN } from '../lambda-src/fixtures/challenge';
import { lambdaContext } from '../lambda-src/fixtures/common';

const RUNS = 10_000;
const mocks = [mockClient(CognitoIdentityProviderClient), mockClient(SSMClient), mockClient(SecretsManagerClient)];
const awsCalls = () => mocks.reduce((n, m) => n + m.calls().length, 0);

const SIGN_IN_SOURCES = ['TokenGeneration_HostedAuth', 'TokenGeneration_Authentication', 'TokenGeneration_NewPasswordChallenge', 'TokenGeneration_AuthenticateDevice'];
const RESERVED_KEYS = new Set<string>([ASSERTION_METADATA_KEY, CLIENT_METADATA.TARGET, CLIENT_METADATA.REASON]);

/** A sign-in of any user through any client but the dedicated one, without an impersonation request. */
const ordinarySignIn = fc.record({
  version: fc.constantFrom('1', '2'),
  triggerSource: fc.constantFrom(...SIGN_IN_SOURCES),
  region: fc.constant('eu-west-1'),
  userPoolId: fc.constant('eu-west-1_AbCdEf123'),
  userName: fc.string({ minLength: 1, maxLength: 40 }),
  callerContext: fc.record({
    awsSdkVersion: fc.string(),
    clientId: fc.stringMatching(/^[a-z0-9]{26}$/).filter((id) => id !== DEDICATED_CLIENT_ID),
  }),
  request: fc.record({
    userAttributes: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 6 }),
    groupConfiguration: fc.record({
      groupsToOverride: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 5 }),
      iamRolesToOverride: fc.constant([]),
    }),
    clientMetadata: fc.option(
      fc.dictionary(fc.string({ maxLength: 20 }).filter((k) => !RESERVED_KEYS.has(k)), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
      { nil: undefined },
    ),
  }, { requiredKeys: ['userAttributes', 'groupConfiguration'] }),
  response: fc.constant({}),
});

const ENVIRONMENT = {
  [ENV.ADMIN_GROUP]: 'support-impersonators',
  [ENV.CLIENT_ID_PARAMETER]: CLIENT_ID_PARAMETER,
  [ENV.SECRET_ARN]: SECRET_ARN,
};

let restoreEnv: () => void;
let audit: AuditLog;

beforeEach(() => {
  mocks.forEach((m) => m.reset());
  audit = new AuditLog();
});

afterEach(() => {
  restoreEnv();
  jest.restoreAllMocks();
});

afterAll(() => mocks.forEach((m) => m.restore()));

/** Runs RUNS fuzzed ordinary sign-ins through `preToken`: each comes back as it went in. */
async function expectUnchanged(preToken: (event: any, context: any) => Promise<any>): Promise<void> {
  let runs = 0;
  await fc.assert(fc.asyncProperty(ordinarySignIn, async (event) => {
    runs++;
    const before = structuredClone(event);
    const out = await preToken(event, lambdaContext());
    expect(out).toBe(event);
    expect(event).toEqual(before);
  }), { numRuns: RUNS });
  expect(runs).toBe(RUNS);
}

describe.each([STRATEGY.PRE_TOKEN_GENERATION, STRATEGY.CUSTOM_CHALLENGE])('%s', (strategy) => {
  test(`${RUNS} fuzzed ordinary sign-ins come back unchanged, with no AWS call and no audit event`, async () => {
    restoreEnv = withEnv({ ...ENVIRONMENT, [ENV.STRATEGY]: strategy });
    await expectUnchanged(freshContainer('pre-token-generation'));
    expect(awsCalls()).toBe(0);
    expect(audit.events()).toEqual([]);
  }, 120_000);
});

test(`customChallenge, in a container that knows the dedicated client: ${RUNS} fuzzed ordinary sign-ins still come back unchanged, with no AWS call`, async () => {
  restoreEnv = withEnv({ ...ENVIRONMENT, [ENV.STRATEGY]: STRATEGY.CUSTOM_CHALLENGE });
  new FakeSecret(SECRET_ARN, KEY_1).install(mocks[2] as AwsClientStub<SecretsManagerClient>);
  const preToken = freshContainer('pre-token-generation');
  // An impersonation sign-in teaches the container the dedicated client's id.
  await preToken(impersonationEvent(KEY_1), lambdaContext());
  const callsBefore = awsCalls();
  audit.clear();
  await expectUnchanged(preToken);
  expect(awsCalls()).toBe(callsBefore);
  expect(audit.events()).toEqual([]);
}, 120_000);
