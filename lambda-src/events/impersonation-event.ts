import type { AuditRecord } from './log-batch';
import { AUDIT_EVENT, EVENTBRIDGE } from '../../src/private/contract';

/** The audit fields an event carries: identifiers and the decision, never anything secret (none is in the audit trail). */
const DETAIL_FIELDS = [
  'strategy', 'userPoolId', 'clientId', 'action', 'sessionId', 'actor', 'target', 'reason', 'denialReason',
  'cause', 'groupsAdded', 'groupsRemoved', 'startedAt', 'expiresAt', 'requestId', 'approvalId', 'approver',
] as const;

/** One EventBridge entry, before the bus is named. */
export interface ImpersonationEventEntry {
  readonly DetailType: string;
  readonly Detail: string;
  readonly Time?: Date;
  /** The audit record's id, also `detail.eventId`: consumers deduplicate on it. */
  readonly eventId: string;
}

/**
 * The event for an audit record, or none: only a start, an end, a denial or an approval request
 * (so that teams can notify the approvers) is published, and
 * an `impersonation.ended` with `alreadyEnded` (nothing was ended) is not an end.
 */
export function impersonationEventOf(record: AuditRecord): ImpersonationEventEntry | undefined {
  const audit = record.event;
  const detailType = EVENTBRIDGE.DETAIL_TYPE[String(audit.event)];
  if (!detailType || (audit.event === AUDIT_EVENT.ENDED && audit.alreadyEnded === true)) return undefined;
  const detail: Record<string, unknown> = { schemaVersion: EVENTBRIDGE.SCHEMA_VERSION, eventId: record.id, time: audit.time };
  for (const field of DETAIL_FIELDS) {
    if (audit[field] !== undefined) detail[field] = audit[field];
  }
  const time = typeof audit.time === 'string' ? new Date(audit.time) : undefined;
  return {
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    Time: time && !Number.isNaN(time.getTime()) ? time : undefined,
    eventId: record.id,
  };
}
