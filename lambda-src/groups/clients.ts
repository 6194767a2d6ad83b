import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { LifecycleEnvironment } from './environment';
import type { Lifecycle } from './lifecycle';
import { awsClient } from '../common/aws-clients';
import { groupsOfUser } from '../common/target';

/** The session lifecycle on this container's clients. */
export function lifecycleOf(env: LifecycleEnvironment): Lifecycle {
  const cognito = awsClient(CognitoIdentityProviderClient);
  return {
    cognito,
    scheduler: awsClient(SchedulerClient),
    table: { client: awsClient(DynamoDBClient), tableName: env.tableName },
    scheduleGroup: env.scheduleGroup,
    expiry: env.expiry,
    leaseMs: env.leaseMs,
    now: () => Date.now(),
    groupsOf: (username) => groupsOfUser(cognito, env.userPoolId, username),
  };
}
