import { randomUUID } from 'crypto';
import { createApproval, useApproval, type ApprovalBinding, type Principal } from './approval-store';
import { AUDIT_EVENT, DENIAL_REASON, PATTERN } from '../../src/private/contract';
import type { ActionContext, ApprovalGate, ApprovalPendingResponse, ApprovalSubject, ApprovalSettings } from '../common/broker-action';
import { ImpersonationRefused } from '../common/errors';

/** Told to the requester with every pending request. */
export const PENDING_MESSAGE = 'This impersonation needs approval. Ask a member of the approver group to approve the request, '
  + 'then start again with the same target and reason and approvalId set to the request id before it expires.';

/** The parts of the action context the gate uses (it is built before the context exists). */
export type GateContext = Pick<ActionContext, 'request' | 'actor' | 'strategy' | 'audit'>;

/** The caller as a principal bound into an approval: Cognito's sub is a UUID. */
export function principalOf(actor: { sub?: string; username: string }): Principal {
  if (!actor.sub || !PATTERN.UUID.test(actor.sub)) throw new ImpersonationRefused(DENIAL_REASON.INTERNAL_ERROR);
  return { sub: actor.sub, username: actor.username };
}

/** Whether starting an impersonation of `subject.target` needs approval. */
export function needsApproval(settings: ApprovalSettings, subject: ApprovalSubject): boolean {
  return settings.targetGroups === undefined || subject.target.groups.some((g) => settings.targetGroups!.has(g));
}

/**
 * The approval check of a `start` (four-eyes), which the strategy calls once every check of its
 * own passed and before anything changes:
 * - approval off: go on; a request naming an approval is malformed (nothing is ignored silently);
 * - with `approvalId`: spend the approval (bound to requester, target, reason, strategy and
 *   duration; once spent it is gone, even if the start then fails), note it for the audit, go on;
 * - without: if the target needs approval, create a PENDING request, audit it, and answer with it.
 */
export function approvalGate(
  ctx: GateContext,
  settings: ApprovalSettings | undefined,
  noteUsed: (approval: { approvalId: string; approver?: Principal }) => void,
): ApprovalGate {
  return async (subject: ApprovalSubject): Promise<ApprovalPendingResponse | undefined> => {
    const approvalId = ctx.request.approvalId;
    if (!settings) {
      if (approvalId !== undefined) throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
      return undefined;
    }
    if (!subject.target.sub || !PATTERN.UUID.test(subject.target.sub)) throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
    const binding: ApprovalBinding = {
      requester: principalOf(ctx.actor),
      target: { sub: subject.target.sub, username: subject.target.username },
      reason: subject.reason ?? '',
      strategy: ctx.strategy,
      durationMinutes: subject.durationMinutes ?? 0,
    };
    const now = Date.now();
    if (approvalId !== undefined) {
      const used = await useApproval(settings.table, approvalId, binding, now);
      noteUsed({ approvalId, approver: used.approver });
      return undefined;
    }
    if (!needsApproval(settings, subject)) return undefined;
    const id = randomUUID();
    const expiresAt = now + settings.timeoutMs;
    await createApproval(settings.table, { ...binding, id, state: 'PENDING', requestedAt: now, expiresAt }, settings.windowMs);
    const expiresAtIso = new Date(expiresAt).toISOString();
    ctx.audit({
      event: AUDIT_EVENT.APPROVAL_REQUESTED,
      approvalId: id,
      target: { requested: typeof ctx.request.target === 'string' ? ctx.request.target.trim() : undefined, ...binding.target },
      reason: subject.reason,
      expiresAt: expiresAtIso,
    });
    return { approval: { requestId: id, state: 'PENDING', expiresAt: expiresAtIso }, message: PENDING_MESSAGE };
  };
}
