/**
 * 1. The path every user of the pool takes: an ordinary sign-in through the bundled Pre
 * Token Generation handler, against a handler that returns its event unchanged.
 */
import * as path from 'path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ordinarySignIn, setEnvironment, strategies } from './fixtures';
import { measure, ratio, round } from './measure';

const BATCH = 200;

export async function ordinarySignInBench() {
  const bundle = path.join(__dirname, '..', 'assets', 'lambda-src', 'pre-token-generation.lambda', 'index.js');
  const identity = async (event: unknown) => event;
  const mocks = [mockClient(CognitoIdentityProviderClient), mockClient(SSMClient), mockClient(SecretsManagerClient)];
  const context = { awsRequestId: 'bench' };
  const plain = ordinarySignIn();
  const withMetadata = ordinarySignIn({ locale: 'de-DE' });

  const rows = [];
  for (const strategy of [strategies.PRE_TOKEN_GENERATION, strategies.CUSTOM_CHALLENGE]) {
    setEnvironment(strategy);
    // The handler reads its strategy once per container: a fresh module is a fresh container,
    // so each row measures the strategy it names, not the first one loaded.
    delete require.cache[require.resolve(bundle)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(bundle);
    const batch = (fn: (e: unknown, c: unknown) => Promise<unknown>, event: unknown) => async () => {
      for (let i = 0; i < BATCH; i++) await fn(event, context);
    };
    const result = await measure({
      baseline: batch(identity, plain),
      handler: batch(handler, plain),
      handlerWithUnrelatedMetadata: batch(handler, withMetadata),
    }, {}, BATCH);
    const awsCalls = mocks.reduce((n, m) => n + m.calls().length, 0);
    rows.push({
      strategy,
      baselineUs: round(result.baseline.meanUs, 3),
      handlerUs: round(result.handler.meanUs, 3),
      ratio: ratio(result.handler, result.baseline),
      ratioWithUnrelatedMetadata: ratio(result.handlerWithUnrelatedMetadata, result.baseline),
      awsCalls,
      goal: 'ratio <= 1.5, awsCalls = 0',
    });
  }
  mocks.forEach((m) => m.restore());
  return rows;
}
