import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DENIAL_REASON, ENV } from '../../src/private/contract';
import { awsClient, type TableRef } from '../common/aws-clients';
import { ImpersonationRefused } from '../common/errors';

/**
 * The broker state table the construct configured. A feature that needs it when it is not
 * configured refuses (Misconfigured): it never proceeds without its check.
 */
export function stateTable(): TableRef {
  const tableName = process.env[ENV.BROKER_STATE_TABLE];
  if (!tableName) throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  return { client: awsClient(DynamoDBClient), tableName };
}

/** The value of the TTL attribute for an item that may go at `untilMs` (epoch seconds, rounded up). */
export function ttlOf(untilMs: number): { N: string } {
  return { N: String(Math.ceil(untilMs / 1000)) };
}
