import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ENV } from '../../src/private/contract';
import { awsClient } from '../common/aws-clients';
import { cachedAsync } from '../common/cache';

const MAX_AGE_MS = 15 * 60 * 1000;

/**
 * The id of the construct's dedicated app client, read from the SSM parameter the
 * construct writes and cached per container. Triggers cannot get it from their
 * environment: the pool depends on its triggers and the client on the pool.
 */
export async function dedicatedClientId(now: number = Date.now()): Promise<string> {
  return cachedAsync('dedicated-client-id', readClientIdParameter, { maxAgeMs: MAX_AGE_MS, now });
}

async function readClientIdParameter(): Promise<string> {
  const name = process.env[ENV.CLIENT_ID_PARAMETER];
  if (!name) throw new Error(`${ENV.CLIENT_ID_PARAMETER} is not set`);
  const out = await awsClient(SSMClient).send(new GetParameterCommand({ Name: name }));
  const clientId = out.Parameter?.Value;
  if (!clientId) throw new Error('the client id parameter is empty');
  return clientId;
}
