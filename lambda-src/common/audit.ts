import type { DenialReason } from './errors';
import { AUDIT_EVENT, AUDIT_SCHEMA_VERSION } from '../../src/private/contract';

/** An audit event type. */
export type AuditEventType = (typeof AUDIT_EVENT)[keyof typeof AUDIT_EVENT];

/** Who acted, or whom it was about. Identifiers only: never a token or an attribute value. */
export interface AuditPrincipal {
  readonly sub?: string;
  readonly username?: string;
}

/** One decision, as documented in docs/audit-events.md. */
export interface AuditEvent {
  readonly event: AuditEventType;
  readonly strategy: string;
  readonly source: string;
  readonly userPoolId: string;
  readonly clientId?: string;
  readonly requestId?: string;
  readonly actor?: AuditPrincipal;
  readonly target?: AuditPrincipal & { readonly requested?: string };
  readonly reason?: string;
  readonly denialReason?: DenialReason;
  readonly sessionId?: string;
  readonly triggerSource?: string;
  /** `challenge.failed`: why. */
  readonly failureReason?: string;
  /** `key.rotated` / `key.rotation_failed`: the rotation step and version id (never the key). */
  readonly rotationStep?: string;
  readonly versionId?: string;
  /** Broker: the action requested (`start`, `end`, `list`). */
  readonly action?: string;
  /** Broker: when the impersonation ends (ISO 8601). */
  readonly expiresAt?: string;
  /** groups: when the session started (ISO 8601). */
  readonly startedAt?: string;
  /** groups `impersonation.granted`: the target's groups the session added to the admin. */
  readonly groupsAdded?: readonly string[];
  /** groups `impersonation.ended`: the groups removed from the admin again. */
  readonly groupsRemoved?: readonly string[];
  /** groups `impersonation.ended` / `impersonation.end_failed`: explicit, expired, superseded, revoked, recovered or deleted. */
  readonly cause?: string;
  /** groups `impersonation.ended`: the session had already ended; nothing was changed. */
  readonly alreadyEnded?: boolean;
  /** groups `impersonation.ended`: the admin's account was deleted (or its username now names another sub): it held nothing to remove. */
  readonly adminGone?: boolean;
  /** groups `impersonation.sessions_listed`: how many sessions were returned. */
  readonly sessionCount?: number;
  /** approval: the approval request an event is about (requested, decided, used). */
  readonly approvalId?: string;
  /** approval `impersonation.granted` (and a refusal after the approval was spent): who approved. */
  readonly approver?: AuditPrincipal;
  /** approval `impersonation.approved` / `impersonation.rejected`: who asked for the impersonation. */
  readonly requester?: AuditPrincipal;
  /** approval `impersonation.approved`: until when the requester may complete the start (ISO 8601). */
  readonly completeBy?: string;
  /** approval `impersonation.rejected`: the approver's note, if any. */
  readonly rejectionNote?: string;
  /** approval `impersonation.approvals_listed`: how many requests were returned. */
  readonly approvalCount?: number;
}

/** Where an event comes from: the same for every event one invocation writes. */
export type AuditBase = Pick<AuditEvent, 'strategy' | 'source' | 'userPoolId' | 'requestId' | 'clientId' | 'triggerSource'>;

/** What an outcome adds to its invocation's base (a broker's outcome may name the client too). */
export type AuditOutcome = Omit<AuditEvent, 'strategy' | 'source' | 'userPoolId' | 'requestId'>;

/** Writes `outcome` on top of `base`: one writer per invocation. */
export function auditWriter(base: AuditBase | (() => AuditBase)): (outcome: AuditOutcome) => void {
  return (outcome) => writeAuditEvent({ ...(typeof base === 'function' ? base() : base), ...outcome });
}

/** The parts of a Cognito trigger event that name where an event comes from. */
export interface TriggerOrigin {
  readonly userPoolId: string;
  readonly triggerSource: string;
  readonly callerContext?: { readonly clientId?: string };
}

/** The base of a Cognito trigger's events: pool, client and trigger source come from Cognito's event. */
export function triggerAuditBase(strategy: string, source: string, event: TriggerOrigin, context: { awsRequestId: string }): AuditBase {
  return {
    strategy,
    source,
    userPoolId: event.userPoolId,
    clientId: event.callerContext?.clientId,
    requestId: context.awsRequestId,
    triggerSource: event.triggerSource,
  };
}

/**
 * Writes one audit event. With the function's JSON log format the runtime wraps it as
 * `{"timestamp","level","requestId","message": <event>}` in the audit log group, which
 * is the shape the construct's metric filters match (`$.message.event`).
 */
export function writeAuditEvent(event: AuditEvent, now: Date = new Date()): void {
  const record = { schemaVersion: AUDIT_SCHEMA_VERSION, time: now.toISOString(), ...event };
  if (event.event === AUDIT_EVENT.DENIED || event.event === AUDIT_EVENT.CHALLENGE_FAILED || event.event === AUDIT_EVENT.KEY_ROTATION_FAILED
    || event.event === AUDIT_EVENT.END_FAILED) {
    console.warn(record);
  } else {
    console.info(record);
  }
}
