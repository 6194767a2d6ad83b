import type { Context } from 'aws-lambda';
import { AUDIT_EVENT, STRATEGY } from '../../src/private/contract';
import { triggerAuditBase, writeAuditEvent } from '../common/audit';

/** The fields every custom-auth trigger event carries. */
export interface ChallengeTriggerEvent {
  readonly triggerSource: string;
  readonly userPoolId: string;
  readonly userName: string;
  readonly callerContext: { readonly clientId: string };
  readonly request: { readonly userAttributes?: Record<string, string> };
}

/** Writes the one `challenge.failed` event of a refused custom-auth step. */
export function auditChallengeFailure(
  source: string,
  event: ChallengeTriggerEvent,
  context: Pick<Context, 'awsRequestId'>,
  failureReason: string,
  actor?: { sub?: string; username?: string },
): void {
  writeAuditEvent({
    event: AUDIT_EVENT.CHALLENGE_FAILED,
    ...triggerAuditBase(STRATEGY.CUSTOM_CHALLENGE, source, event, context),
    actor,
    target: { sub: event.request?.userAttributes?.sub, username: event.userName },
    failureReason,
  });
}
