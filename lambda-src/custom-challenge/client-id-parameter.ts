import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CLIENT_ID_SLOT } from './known-client-id';
import { ENV } from '../../src/private/contract';
import { awsClient } from '../common/aws-clients';
import { cachedAsyncOrStale } from '../common/cache';

const MAX_AGE_MS = 15 * 60 * 1000;

/**
 * The id of the construct's dedicated app client, read from the SSM parameter the
 * construct writes and cached per container. Triggers cannot get it from their
 * environment: the pool depends on its triggers and the client on the pool. When SSM cannot
 * be read, the id the container already knows is used, however old (it changes only if the
 * client is replaced): what depends on it keeps working through an SSM outage.
 */
export async function dedicatedClientId(now: number = Date.now()): Promise<string> {
  return cachedAsyncOrStale(CLIENT_ID_SLOT, readClientIdParameter, { maxAgeMs: MAX_AGE_MS, now });
}

async function readClientIdParameter(): Promise<string> {
  const name = process.env[ENV.CLIENT_ID_PARAMETER];
  if (!name) throw new Error(`${ENV.CLIENT_ID_PARAMETER} is not set`);
  const out = await awsClient(SSMClient).send(new GetParameterCommand({ Name: name }));
  const clientId = out.Parameter?.Value;
  if (!clientId) throw new Error('the client id parameter is empty');
  return clientId;
}
