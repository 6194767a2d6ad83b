import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ENV } from '../../src/private/contract';

let client: SSMClient | undefined;
let cached: { clientId: string; fetchedAt: number } | undefined;

const TTL_MS = 15 * 60 * 1000;

/**
 * The id of the construct's dedicated app client, read from the SSM parameter the
 * construct writes and cached per container. Triggers cannot get it from their
 * environment: the pool depends on its triggers and the client on the pool.
 */
export async function dedicatedClientId(now: number = Date.now()): Promise<string> {
  if (cached && now - cached.fetchedAt < TTL_MS) return cached.clientId;
  const name = process.env[ENV.CLIENT_ID_PARAMETER];
  if (!name) throw new Error(`${ENV.CLIENT_ID_PARAMETER} is not set`);
  client ??= new SSMClient({});
  const out = await client.send(new GetParameterCommand({ Name: name }));
  const clientId = out.Parameter?.Value;
  if (!clientId) throw new Error('the client id parameter is empty');
  cached = { clientId, fetchedAt: now };
  return clientId;
}

/** For tests: forget the cached id. */
export function resetDedicatedClientCache(): void {
  cached = undefined;
  client = undefined;
}
