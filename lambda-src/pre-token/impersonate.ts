import { randomUUID } from 'crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Context } from 'aws-lambda';
import { AUDIT_EVENT, CLIENT_METADATA, DENIAL_REASON, LIMITS, SOURCE, STRATEGY } from '../../src/private/contract';
import { triggerAuditBase, writeAuditEvent, type AuditEvent } from '../common/audit';
import { awsClient } from '../common/aws-clients';
import { readConfig } from '../common/config';
import { ImpersonationRefused, denialReasonOf } from '../common/errors';
import { boundedForAudit, parseImpersonationRequest } from '../common/impersonation-request';
import { assertTargetAllowed, resolveTarget, type Actor } from '../common/target';
import { addClaim, type PreTokenEvent } from '../common/token-claims';

/** The claim's value: who is being impersonated, and the session that ties the token to the audit trail. */
export interface ImpersonationClaim {
  readonly sub?: string;
  readonly username: string;
  readonly sessionId: string;
}

/**
 * The impersonation path of the Pre Token Generation trigger: decides, audits, and adds
 * the claim. Any refusal throws, so Cognito issues no token at all (fail closed).
 */
export async function impersonate<E extends PreTokenEvent>(event: E, context: Pick<Context, 'awsRequestId'>): Promise<E> {
  const metadata = event.request.clientMetadata ?? {};
  const actor: Actor = { sub: event.request.userAttributes?.sub, username: event.userName };
  const base = { ...triggerAuditBase(STRATEGY.PRE_TOKEN_GENERATION, SOURCE.PRE_TOKEN_GENERATION, event, context), actor };
  const requestedTarget = boundedForAudit(metadata[CLIENT_METADATA.TARGET]);
  const requestedReason = boundedForAudit(metadata[CLIENT_METADATA.REASON], LIMITS.MAX_REASON_LENGTH);
  let resolved: { sub?: string; username: string } | undefined;
  try {
    const config = configOrRefuse();
    // Who first: a non-admin learns nothing about targets, and causes no AWS call.
    const groups = event.request.groupConfiguration?.groupsToOverride ?? [];
    if (!groups.includes(config.adminGroupName)) {
      throw new ImpersonationRefused(DENIAL_REASON.NOT_ADMIN);
    }
    // The claim is never added on refresh: impersonation ends with the token.
    if (event.triggerSource === 'TokenGeneration_RefreshTokens') {
      throw new ImpersonationRefused(DENIAL_REASON.REFRESH_NOT_ALLOWED);
    }
    const request = parseImpersonationRequest(metadata, config);
    const target = await resolveTarget(awsClient(CognitoIdentityProviderClient), event.userPoolId, request.target);
    resolved = { sub: target.sub, username: target.username };
    assertTargetAllowed(actor, target, config);

    const claim: ImpersonationClaim = { sub: target.sub, username: target.username, sessionId: randomUUID() };
    addClaim(event, config.claimName, claim);
    writeAuditEvent({
      ...base,
      event: AUDIT_EVENT.GRANTED,
      target: { ...resolved, requested: requestedTarget },
      reason: request.reason,
      sessionId: claim.sessionId,
    });
    return event;
  } catch (err) {
    const denialReason = denialReasonOf(err);
    const denied: AuditEvent = {
      ...base,
      event: AUDIT_EVENT.DENIED,
      denialReason,
      target: { ...resolved, requested: requestedTarget },
      reason: requestedReason,
    };
    writeAuditEvent(denied);
    // Configuration errors and surprises are refused with a generic code: details stay in our logs.
    throw err instanceof ImpersonationRefused ? err : new ImpersonationRefused(denialReason);
  }
}

/** A function whose configuration does not check out refuses every impersonation. */
function configOrRefuse() {
  try {
    return readConfig();
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  }
}
