import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DENIAL_REASON, ENV } from '../../src/private/contract';
import { awsClient } from '../common/aws-clients';
import { ImpersonationRefused } from '../common/errors';

/** The broker state table (approvals, volume counters) and the client to reach it. */
export interface StateTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/**
 * The broker state table the construct configured. A feature that needs it when it is not
 * configured refuses (Misconfigured): it never proceeds without its check.
 */
export function stateTable(): StateTable {
  const tableName = process.env[ENV.BROKER_STATE_TABLE];
  if (!tableName) throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  return { client: awsClient(DynamoDBClient), tableName };
}

/** The value of the TTL attribute for an item that may go at `untilMs` (epoch seconds, rounded up). */
export function ttlOf(untilMs: number): { N: string } {
  return { N: String(Math.ceil(untilMs / 1000)) };
}
