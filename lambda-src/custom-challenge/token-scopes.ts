import { ENV, PATTERN, SELF_SERVICE_SCOPE } from '../../src/private/contract';
import type { PreTokenEvent } from '../common/token-claims';

/**
 * The scopes an impersonation access token must not carry: Cognito's self-service scope always
 * (the impersonator never acts on the account itself: attributes, MFA, password, deletion), and
 * the team's own from IMPERSONATION_SUPPRESSED_SCOPES. A malformed list throws: a token is never
 * issued with more scopes than the team asked for.
 */
export function suppressedScopes(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env[ENV.SUPPRESSED_SCOPES];
  const extra: unknown = raw === undefined ? [] : JSON.parse(raw);
  if (!Array.isArray(extra) || !extra.every((s) => typeof s === 'string' && PATTERN.SCOPE.test(s))) {
    throw new Error(`${ENV.SUPPRESSED_SCOPES} must be a JSON array of scope names`);
  }
  return [...new Set([SELF_SERVICE_SCOPE, ...extra])];
}

/**
 * Removes scopes from the access token. V2 events only: a V1 response cannot touch the access
 * token, which the construct warns about at synth. Scopes already suppressed are kept.
 */
export function suppressScopes(event: PreTokenEvent, scopes: readonly string[]): void {
  if (event.version === '1' || scopes.length === 0) return;
  const details = event.response.claimsAndScopeOverrideDetails ?? {};
  const access = details.accessTokenGeneration ?? {};
  event.response.claimsAndScopeOverrideDetails = {
    ...details,
    accessTokenGeneration: { ...access, scopesToSuppress: [...new Set([...(access.scopesToSuppress ?? []), ...scopes])] },
  };
}
