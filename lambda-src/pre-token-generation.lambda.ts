import type { Context } from 'aws-lambda';
import { onContainerReset } from './common/container-state';
import { asksForImpersonation } from './common/impersonation-request';
import type { PreTokenEvent } from './common/token-claims';
import { ASSERTION_METADATA_KEY, ENV, STRATEGY } from '../src/private/contract';

let strategy: string | undefined;
onContainerReset(() => { strategy = undefined; });

/**
 * The strategy this function serves, read once per container: reading process.env costs
 * more than the rest of an ordinary sign-in's path (benchmarked, bench/).
 */
function strategyOf(): string {
  strategy ??= process.env[ENV.STRATEGY] ?? STRATEGY.PRE_TOKEN_GENERATION;
  return strategy;
}

/**
 * The Pre Token Generation trigger of both the preTokenGeneration and the customChallenge
 * strategy (one slot, one handler, one branch each).
 *
 * Every sign-in of the pool passes through here. An ordinary one is returned unchanged:
 * no AWS call, no SDK loaded. Only what concerns impersonation loads the code that checks
 * it: an impersonation request (preTokenGeneration), or a broker's assertion or a refresh
 * (customChallenge).
 */
export async function handler<E extends PreTokenEvent>(event: E, context: Context): Promise<E> {
  // require, not import(): it loads lazily both in the esbuild bundle and under jest
  // (ts-jest keeps import() as is for module node16, which jest cannot run without
  // --experimental-vm-modules).
  if (strategyOf() === STRATEGY.CUSTOM_CHALLENGE) {
    const carriesAssertion = event.request?.clientMetadata?.[ASSERTION_METADATA_KEY] !== undefined;
    if (!carriesAssertion && event.triggerSource !== 'TokenGeneration_RefreshTokens') {
      return event;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { markImpersonationToken } = require('./custom-challenge/challenge-token') as typeof import('./custom-challenge/challenge-token');
    return markImpersonationToken(event, context);
  }
  if (!asksForImpersonation(event.request?.clientMetadata)) {
    return event;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { impersonate } = require('./pre-token/impersonate') as typeof import('./pre-token/impersonate');
  return impersonate(event, context);
}
