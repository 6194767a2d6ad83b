import type { Context } from 'aws-lambda';
import type { PreTokenEvent } from './shared/pre-token-impersonation';
import { asksForImpersonation } from './shared/request';

/**
 * Pre Token Generation trigger of the preTokenGeneration strategy.
 *
 * Every sign-in of the pool passes through here. An ordinary one (no impersonation
 * request in ClientMetadata) is returned unchanged: no AWS call, no SDK loaded. Only an
 * impersonation request loads the code that checks it and adds the claim.
 */
export async function handler<E extends PreTokenEvent>(event: E, context: Context): Promise<E> {
  if (!asksForImpersonation(event.request?.clientMetadata)) {
    return event;
  }
  // require, not import(): it loads lazily both in the esbuild bundle and under jest
  // (ts-jest keeps import() as is for module node16, which jest cannot run without
  // --experimental-vm-modules).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { impersonate } = require('./shared/pre-token-impersonation') as typeof import('./shared/pre-token-impersonation');
  return impersonate(event, context);
}
