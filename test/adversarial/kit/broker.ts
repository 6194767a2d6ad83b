import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DEDICATED_CLIENT_ID, JwksServer, POOL_ID } from './tokens';
import { ENV, STRATEGY } from '../../../src/private/contract';
import { SECRET_ARN } from '../../lambda-src/fixtures/challenge';
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
