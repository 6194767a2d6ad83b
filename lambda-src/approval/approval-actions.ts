import { principalOf } from './approval-gate';
import { decideApproval, scanApprovals, stateAt, type ApprovalRecord, type ApprovalState, type Principal } from './approval-store';
import { AUDIT_EVENT, DENIAL_REASON, LIMITS } from '../../src/private/contract';
import type { ActionContext, ApprovalSettings } from '../common/broker-action';
import { ImpersonationRefused } from '../common/errors';
import { validateNote } from '../common/impersonation-request';

/** The broker's approval actions (four-eyes): `approve`, `reject` and `pending`, for every strategy with a broker. */

/** One approval request as the broker shows it: never a token, only who, whom, why and when. */
export interface ApprovalSummary {
  readonly requestId: string;
  /** PENDING, APPROVED, REJECTED, EXPIRED or USED, as of now. */
  readonly state: ApprovalState;
  readonly requester: Principal;
  readonly target: Principal;
  readonly reason?: string;
  readonly strategy: string;
  /** groups: the session length the approval is bound to. */
  readonly durationMinutes?: number;
  readonly requestedAt: string;
  /** Until when the request can be decided. */
  readonly expiresAt: string;
  readonly approver?: Principal;
  readonly decidedAt?: string;
  /** Approved: until when the requester may complete the start. */
  readonly completeBy?: string;
  readonly rejectionNote?: string;
}

/** A successful `approve` or `reject`. */
export interface DecisionResponse {
  readonly approval: ApprovalSummary;
  readonly message: string;
}

/** A successful `pending`. */
export interface PendingResponse {
  /** Requests waiting for a decision that the caller may decide (approvers only; never their own). */
  readonly toDecide: readonly ApprovalSummary[];
  /** The caller's own requests still in the table (the last days), in any state. */
  readonly mine: readonly ApprovalSummary[];
  /** More requests exist than one answer reads. */
  readonly truncated: boolean;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function summaryOf(r: ApprovalRecord, now: number): ApprovalSummary {
  return {
    requestId: r.id,
    state: stateAt(r, now),
    requester: r.requester,
    target: r.target,
    ...(r.reason ? { reason: r.reason } : {}),
    strategy: r.strategy,
    ...(r.durationMinutes > 0 ? { durationMinutes: r.durationMinutes } : {}),
    requestedAt: iso(r.requestedAt)!,
    expiresAt: iso(r.expiresAt)!,
    ...(r.approver ? { approver: r.approver, decidedAt: iso(r.decidedAt) } : {}),
    ...(r.completeBy !== undefined ? { completeBy: iso(r.completeBy) } : {}),
    ...(r.rejectionNote ? { rejectionNote: r.rejectionNote } : {}),
  };
}

function settingsOf(ctx: ActionContext): ApprovalSettings {
  if (!ctx.approval) throw new ImpersonationRefused(DENIAL_REASON.UNSUPPORTED_ACTION);
  return ctx.approval;
}

function refuseFields(ctx: ActionContext, fields: ReadonlyArray<'target' | 'reason' | 'sessionId' | 'durationMinutes' | 'approvalId'>): void {
  if (fields.some((f) => ctx.request[f] !== undefined)) throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
}

function requestIdOf(ctx: ActionContext): string {
  if (ctx.request.approvalId === undefined) throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
  return ctx.request.approvalId;
}

/** `approve`: a member of the approver group approves a pending request that is not their own. */
export async function approveRequest(ctx: ActionContext): Promise<DecisionResponse> {
  const settings = settingsOf(ctx);
  refuseFields(ctx, ['target', 'reason', 'sessionId', 'durationMinutes']);
  const id = requestIdOf(ctx);
  const now = Date.now();
  const record = await decideApproval(settings.table, id, principalOf(ctx.actor), { kind: 'APPROVED', windowMs: settings.windowMs }, now);
  const summary = summaryOf(record, now);
  ctx.audit({
    event: AUDIT_EVENT.APPROVED,
    approvalId: id,
    requester: record.requester,
    target: record.target,
    reason: summary.reason,
    completeBy: summary.completeBy,
  });
  return { approval: summary, message: `Approved. ${record.requester.username} may now complete the start until ${summary.completeBy}.` };
}

/** `reject`: a member of the approver group rejects a pending request that is not their own, with an optional note (`reason`). */
export async function rejectRequest(ctx: ActionContext): Promise<DecisionResponse> {
  const settings = settingsOf(ctx);
  refuseFields(ctx, ['target', 'sessionId', 'durationMinutes']);
  const id = requestIdOf(ctx);
  const note = validateNote(ctx.request.reason, ctx.config.maxReasonLength);
  const now = Date.now();
  const record = await decideApproval(settings.table, id, principalOf(ctx.actor), { kind: 'REJECTED', note }, now);
  const summary = summaryOf(record, now);
  ctx.audit({
    event: AUDIT_EVENT.REJECTED,
    approvalId: id,
    requester: record.requester,
    target: record.target,
    reason: summary.reason,
    ...(note ? { rejectionNote: note } : {}),
  });
  return { approval: summary, message: 'Rejected. The request can no longer be used.' };
}

/**
 * `pending`: the requests waiting for a decision the caller may make (if they are in the
 * approver group; never their own), and the caller's own requests in any state.
 */
export async function listApprovals(ctx: ActionContext): Promise<PendingResponse> {
  const settings = settingsOf(ctx);
  refuseFields(ctx, ['target', 'reason', 'sessionId', 'durationMinutes', 'approvalId']);
  const caller = principalOf(ctx.actor);
  const approver = ctx.callerGroups.includes(settings.approverGroupName);
  const { records, truncated } = await scanApprovals(settings.table);
  const now = Date.now();
  const byTime = (a: ApprovalRecord, b: ApprovalRecord) => a.requestedAt - b.requestedAt || a.id.localeCompare(b.id);
  const toDecide = approver
    ? records.filter((r) => r.requester.sub !== caller.sub && stateAt(r, now) === 'PENDING').sort(byTime)
    : [];
  const mine = records.filter((r) => r.requester.sub === caller.sub).sort(byTime);
  const more = toDecide.length + mine.length > LIMITS.MAX_LISTED_APPROVALS;
  const listedToDecide = toDecide.slice(0, LIMITS.MAX_LISTED_APPROVALS);
  // The rest of the room goes to the caller's most recent requests.
  const room = LIMITS.MAX_LISTED_APPROVALS - listedToDecide.length;
  const listedMine = room > 0 ? mine.slice(-room) : [];
  ctx.audit({ event: AUDIT_EVENT.APPROVALS_LISTED, approvalCount: listedToDecide.length + listedMine.length });
  return {
    toDecide: listedToDecide.map((r) => summaryOf(r, now)),
    mine: listedMine.map((r) => summaryOf(r, now)),
    truncated: truncated || more,
  };
}
