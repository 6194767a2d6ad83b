import type { Context } from 'aws-lambda';
import { checkAssertion } from './assertion-check';
import { dedicatedClientId } from './client-id-parameter';
import { knownDedicatedClientId, learnDedicatedClientId } from './known-client-id';
import { suppressScopes, suppressedScopes } from './token-scopes';
import { ASSERTION_METADATA_KEY, AUDIT_EVENT, DENIAL_REASON, SOURCE, STRATEGY } from '../../src/private/contract';
import { triggerAuditBase, writeAuditEvent } from '../common/audit';
import { ImpersonationRefused, type DenialReason } from '../common/errors';
import { addClaim, type PreTokenEvent } from '../common/token-claims';

const REFRESH = 'TokenGeneration_RefreshTokens';

/** The `act` claim (RFC 8693 style): who is really acting, and the session in the audit trail. */
export interface ActClaim {
  readonly sub: string;
  readonly username: string;
  readonly sessionId: string;
}

/**
 * The customChallenge path of the Pre Token Generation trigger, reached only for a refresh, a
 * token request carrying the broker's assertion, or one on the dedicated client as far as the
 * container knows it:
 * - a refresh on the dedicated client is refused: impersonation tokens cannot be extended;
 * - a token generation on the dedicated client without an assertion is refused;
 * - a token from a completed impersonation challenge gets `act`, without Cognito's self-service
 *   scope (and the team's suppressed scopes), after the broker's assertion is verified again
 *   (it is bound to this user and this client);
 * - anything that claims to be an impersonation and does not check out is refused.
 */
export async function markImpersonationToken<E extends PreTokenEvent>(event: E, context: Pick<Context, 'awsRequestId'>): Promise<E> {
  const base = triggerAuditBase(STRATEGY.CUSTOM_CHALLENGE, SOURCE.PRE_TOKEN_GENERATION, event, context);
  const target = { sub: event.request.userAttributes?.sub, username: event.userName };
  const refuse = (denialReason: DenialReason, actor?: { sub?: string; username?: string }): never => {
    writeAuditEvent({ ...base, event: AUDIT_EVENT.DENIED, denialReason, actor, target });
    throw new ImpersonationRefused(denialReason);
  };

  const clientId = event.callerContext?.clientId;
  const answer = event.request.clientMetadata?.[ASSERTION_METADATA_KEY];
  if (event.triggerSource === REFRESH) {
    // Through an SSM outage the id this container last knew is used: only a container that
    // never learned it lets a refresh through, so that other clients' refreshes never break.
    // The dedicated client's refresh tokens never leave the broker and live 60 minutes.
    const dedicated = await dedicatedClientId().catch(() => undefined);
    if (dedicated !== undefined && clientId === dedicated) refuse(DENIAL_REASON.REFRESH_NOT_ALLOWED);
    return event;
  }
  if (answer === undefined) {
    // Nothing is ever issued on the dedicated client without the broker's assertion.
    if (clientId !== undefined && clientId === knownDedicatedClientId()) refuse(DENIAL_REASON.ASSERTION_MISSING);
    return event;
  }

  let scopes: string[];
  try {
    scopes = suppressedScopes();
  } catch {
    return refuse(DENIAL_REASON.MISCONFIGURED);
  }
  let result;
  try {
    result = await checkAssertion(answer, { targetUsername: event.userName, clientId });
  } catch {
    return refuse(DENIAL_REASON.LOOKUP_FAILED);
  }
  if (!result.ok) return refuse(DENIAL_REASON.ASSERTION_INVALID);
  // The MAC binds the assertion to this client: it is the dedicated one.
  learnDedicatedClientId(clientId);

  const { actorSub, actorUsername, sessionId } = result.assertion;
  const act: ActClaim = { sub: actorSub, username: actorUsername, sessionId };
  addClaim(event, 'act', act);
  suppressScopes(event, scopes);
  writeAuditEvent({ ...base, event: AUDIT_EVENT.TOKEN_ISSUED, actor: { sub: actorSub, username: actorUsername }, target, sessionId });
  return event;
}
