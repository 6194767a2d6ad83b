import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { AuditLog, withEnv } from './bundles';
import { ASSERTION_METADATA_KEY, ENV, STRATEGY } from '../../../src/private/contract';
import { CLIENT_ID_PARAMETER, DEDICATED_CLIENT_ID, FakeSecret, KEY_1, SECRET_ARN, newNonce, parameterHolds, signedAnswer } from '../../lambda-src/fixtures/challenge';
import { ADMIN_GROUP, TARGET, USER_POOL_ID, v1Event, v2Event } from '../../lambda-src/fixtures/common';

/** What a test of the customChallenge triggers works with. */
export interface TriggerFixture {
  readonly ssm: AwsClientStub<SSMClient>;
  readonly secrets: AwsClientStub<SecretsManagerClient>;
  /** The signing-key secret of the current test (KEY_1 current). */
  secret(): FakeSecret;
  /** The audit events of the current test. */
  audit(): AuditLog;
}

/**
 * Sets up every test of a file on the customChallenge triggers: the functions' environment,
 * the SSM parameter holding the dedicated client's id, the signing-key secret (a stateful
 * fake of Secrets Manager) and a recorded console.
 */
export function customChallengeTriggers(): TriggerFixture {
  const ssm = mockClient(SSMClient);
  const secrets = mockClient(SecretsManagerClient);
  const cognito = mockClient(CognitoIdentityProviderClient);
  let restoreEnv: () => void = () => undefined;
  let secret: FakeSecret | undefined;
  let audit: AuditLog | undefined;
  beforeEach(() => {
    [ssm, secrets, cognito].forEach((m) => m.reset());
    restoreEnv = withEnv({
      [ENV.STRATEGY]: STRATEGY.CUSTOM_CHALLENGE,
      [ENV.USER_POOL_ID]: USER_POOL_ID,
      [ENV.CLIENT_ID_PARAMETER]: CLIENT_ID_PARAMETER,
      [ENV.SECRET_ARN]: SECRET_ARN,
      [ENV.ADMIN_GROUP]: ADMIN_GROUP,
      [ENV.KEY_CACHE_SECONDS]: undefined,
      [ENV.SUPPRESSED_SCOPES]: undefined,
    });
    parameterHolds(ssm);
    secret = new FakeSecret(SECRET_ARN, KEY_1);
    secret.install(secrets);
    audit = new AuditLog();
  });
  afterEach(() => {
    jest.useRealTimers();
    restoreEnv();
    jest.restoreAllMocks();
  });
  afterAll(() => [ssm, secrets, cognito].forEach((m) => m.restore()));
  return { ssm, secrets, secret: () => secret!, audit: () => audit! };
}

/** A token generation on the dedicated client at the end of the broker's custom-auth sign-in, with an assertion signed with `key`. */
export function impersonationEvent(key: string, options: { version?: 1 | 2; triggerSource?: string } = {}) {
  const metadata = { [ASSERTION_METADATA_KEY]: signedAnswer(key, newNonce()) };
  const eventOptions = { userName: TARGET.username, sub: TARGET.sub, groups: ['customers'], clientMetadata: metadata, triggerSource: options.triggerSource };
  const event = options.version === 1 ? v1Event(eventOptions) : v2Event(eventOptions);
  event.callerContext.clientId = DEDICATED_CLIENT_ID;
  return event;
}

/** A token generation on `clientId` without any assertion. */
export function assertionless(clientId: string, triggerSource: string) {
  const event = v2Event({ userName: TARGET.username, sub: TARGET.sub, groups: ['customers'], clientMetadata: undefined, triggerSource });
  event.callerContext.clientId = clientId;
  return event;
}
