import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { freshContainer, withEnv, type BundledHandler } from './bundles';
import { FakeCognito } from './fake-cognito';
import { CANONICAL_ISSUER, DEDICATED_CLIENT_ID, JwksServer, POOL_ID, type PoolSigningKey } from './tokens';
import { ENV, STRATEGY } from '../../../src/private/contract';
import { FakeSecret, SECRET_ARN } from '../../lambda-src/fixtures/challenge';
import { GROUPS_TEST_ENV, USERS } from '../../lambda-src/fixtures/groups';
import { FakeWorld } from '../../lambda-src/fixtures/groups-world';

/** The SDK clients the brokers call, stubbed for a test file: reset before each test, restored after the file. */
export function brokerClientStubs() {
  const stubs = {
    cognito: mockClient(CognitoIdentityProviderClient),
    secrets: mockClient(SecretsManagerClient),
    scheduler: mockClient(SchedulerClient),
    dynamodb: mockClient(DynamoDBClient),
  };
  beforeEach(() => Object.values(stubs).forEach((m) => m.reset()));
  afterAll(() => Object.values(stubs).forEach((m) => m.restore()));
  return stubs;
}

/** The customChallenge broker's environment as the construct sets it (the admin group protected), plus `extra`. */
export function customChallengeBrokerEnv(adminGroup: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    [ENV.STRATEGY]: STRATEGY.CUSTOM_CHALLENGE,
    [ENV.USER_POOL_ID]: POOL_ID,
    [ENV.CLIENT_ID]: DEDICATED_CLIENT_ID,
    [ENV.SECRET_ARN]: SECRET_ARN,
    [ENV.ADMIN_GROUP]: adminGroup,
    [ENV.PROTECTED_GROUPS]: JSON.stringify([adminGroup]),
    ...extra,
  };
}

/**
 * A customChallenge broker on a fresh container, its environment as the construct sets it plus
 * `extra`, in front of a fake pool signing with `key` (its JWKS served) and a signing secret.
 * The pool has `users` (username -> groups; by default alice in `adminGroup`, bob a customer);
 * `configure` adjusts it before it answers. `restoreEnv` puts the environment back.
 */
export function customChallengeBroker(
  stubs: ReturnType<typeof brokerClientStubs>,
  key: PoolSigningKey,
  adminGroup: string,
  options: { extra?: Record<string, string | undefined>; users?: Record<string, string[]>; configure?: (pool: FakeCognito) => void } = {},
): { pool: FakeCognito; broker: BundledHandler; restoreEnv: () => void } {
  const restoreEnv = withEnv(customChallengeBrokerEnv(adminGroup, options.extra));
  new JwksServer().publish(CANONICAL_ISSUER, key.jwks).start();
  const pool = new FakeCognito(key);
  options.configure?.(pool);
  for (const [username, groups] of Object.entries(options.users ?? { alice: [adminGroup], bob: ['customers'] })) pool.addUser(username, { groups });
  pool.install(stubs.cognito);
  new FakeSecret(SECRET_ARN).install(stubs.secrets);
  return { pool, broker: freshContainer('broker'), restoreEnv };
}

/**
 * A groups world (the lifecycle tests' USERS) answering the stubs, with Date.now on its clock
 * and its token issuer's JWKS served to the bundled broker. Call in beforeEach, after
 * setGroupsEnv; jest.restoreAllMocks puts Date.now and https back.
 */
export function groupsBrokerWorld(stubs: ReturnType<typeof brokerClientStubs>): FakeWorld {
  const world = new FakeWorld(GROUPS_TEST_ENV.userPoolId, GROUPS_TEST_ENV.scheduleGroup, GROUPS_TEST_ENV.tableName);
  for (const user of Object.values(USERS)) world.addUser(user.username, user.groups, { enabled: (user as { enabled?: boolean }).enabled });
  world.install(stubs);
  jest.spyOn(Date, 'now').mockImplementation(() => world.now);
  new JwksServer().publish(world.tokens.issuer, world.tokens.jwks).start();
  return world;
}
