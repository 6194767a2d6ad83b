import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { onContainerReset } from './container-state';

/**
 * The SDK clients of a container: one per client class, created on first use and reused by
 * every later invocation (connection reuse, credentials resolved once), in the spirit of
 * Powertools' DefaultProviders.
 *
 * This module loads no SDK: a caller passes the client class, so the SDK is loaded by the
 * module that needs it, and an ordinary sign-in (which needs none) never loads it.
 */

type ClientClass<C> = new (config: Record<string, never>) => C;

const clients = new Map<ClientClass<unknown>, unknown>();
onContainerReset(() => clients.clear());

/** The container's client of this class, with the default configuration (region and credentials from the runtime). */
export function awsClient<C>(Client: ClientClass<C>): C {
  let client = clients.get(Client) as C | undefined;
  if (!client) {
    client = new Client({});
    clients.set(Client, client);
  }
  return client;
}

/** A DynamoDB table a handler works on (sessions, approvals, counters), with the container's client. */
export interface TableRef {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}
