import type { Context } from 'aws-lambda';
import { verifyAssertion } from './assertion';
import { dedicatedClientId } from './client-id-parameter';
import { signingKeys, verificationKeys } from './signing-keys';
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
 * The customChallenge path of the Pre Token Generation trigger, reached only for a refresh
 * or a token request carrying the broker's assertion:
 * - a refresh on the dedicated client is refused: impersonation tokens cannot be extended;
 * - a token from a completed impersonation challenge gets `act`, after the broker's
 *   assertion is verified again (it is bound to this user and this client);
 * - anything that claims to be an impersonation and does not check out is refused.
 */
export async function markImpersonationToken<E extends PreTokenEvent>(event: E, context: Pick<Context, 'awsRequestId'>): Promise<E> {
  const base = triggerAuditBase(STRATEGY.CUSTOM_CHALLENGE, SOURCE.PRE_TOKEN_GENERATION, event, context);
  const target = { sub: event.request.userAttributes?.sub, username: event.userName };
  const refuse = (denialReason: DenialReason, actor?: { sub?: string; username?: string }): never => {
    writeAuditEvent({ ...base, event: AUDIT_EVENT.DENIED, denialReason, actor, target });
    throw new ImpersonationRefused(denialReason);
  };

  if (event.triggerSource === REFRESH) {
    let clientId: string;
    try {
      clientId = await dedicatedClientId();
    } catch {
      // Never break an ordinary user's refresh. The dedicated client's refresh tokens never
      // leave the broker, so this check is a second line, not the only one.
      return event;
    }
    if (event.callerContext?.clientId === clientId) refuse(DENIAL_REASON.REFRESH_NOT_ALLOWED);
    return event;
  }

  let keys: string[];
  try {
    keys = verificationKeys(await signingKeys());
  } catch {
    return refuse(DENIAL_REASON.LOOKUP_FAILED);
  }
  const result = verifyAssertion(
    event.request.clientMetadata?.[ASSERTION_METADATA_KEY],
    { targetUsername: event.userName, clientId: event.callerContext?.clientId },
    keys,
    Math.floor(Date.now() / 1000),
  );
  if (!result.ok) return refuse(DENIAL_REASON.ASSERTION_INVALID);

  const { actorSub, actorUsername, sessionId } = result.assertion;
  const act: ActClaim = { sub: actorSub, username: actorUsername, sessionId };
  addClaim(event, 'act', act);
  writeAuditEvent({ ...base, event: AUDIT_EVENT.TOKEN_ISSUED, actor: { sub: actorSub, username: actorUsername }, target, sessionId });
  return event;
}
