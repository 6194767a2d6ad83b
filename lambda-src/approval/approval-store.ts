import {
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { BROKER_STATE, DENIAL_REASON, LIMITS } from '../../src/private/contract';
import type { TableRef } from '../common/aws-clients';
import { ImpersonationRefused, errorNameOf, type DenialReason } from '../common/errors';

/**
 * Approval requests in the broker state table: one item per request (`pk` = `approval#<id>`),
 * changed only by conditional writes, so that each transition happens at most once however
 * many requests race for it:
 *
 *   (none) --start, put if absent--> PENDING
 *   PENDING --approve, if not expired and not the requester's own--> APPROVED (completeBy set)
 *   PENDING --reject, same condition--> REJECTED
 *   APPROVED --start, if within completeBy and bound to the same request--> USED
 *
 * Expiry is passive: a PENDING request past `expiresAt`, or an APPROVED one past `completeBy`,
 * is EXPIRED for every reader and no write's condition accepts it. The item's TTL removes it
 * APPROVAL_RETENTION_DAYS after the last moment it could have been used.
 */

export const APPROVAL_STATE = {
  PENDING: 'PENDING',
  APPROVED: 'APPROVED',
  REJECTED: 'REJECTED',
  USED: 'USED',
  /** Never stored: a PENDING request past its timeout, or an APPROVED one past its completion window. */
  EXPIRED: 'EXPIRED',
} as const;

export type StoredApprovalState = 'PENDING' | 'APPROVED' | 'REJECTED' | 'USED';
export type ApprovalState = StoredApprovalState | 'EXPIRED';

/** Who, identified by Cognito's sub and username. */
export interface Principal {
  readonly sub: string;
  readonly username: string;
}

/** What an approval is bound to: a start completes with it only if all of these are equal. */
export interface ApprovalBinding {
  readonly requester: Principal;
  readonly target: Principal;
  /** Empty when the request gave none. */
  readonly reason: string;
  readonly strategy: string;
  /** groups: the session length in minutes; 0 for customChallenge. */
  readonly durationMinutes: number;
}

/** One approval request, as stored. Times are epoch milliseconds. */
export interface ApprovalRecord extends ApprovalBinding {
  readonly id: string;
  readonly state: StoredApprovalState;
  readonly requestedAt: number;
  readonly expiresAt: number;
  readonly decidedAt?: number;
  readonly approver?: Principal;
  readonly completeBy?: number;
  readonly rejectionNote?: string;
  readonly usedAt?: number;
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const DAY_MS = 86_400_000;

export const keyOf = (id: string): Record<string, AttributeValue> => ({ pk: S(`${BROKER_STATE.PREFIX.APPROVAL}${id}`) });

/** The state a reader sees at `now`: stored, or EXPIRED once the request can no longer be decided or used. */
export function stateAt(record: ApprovalRecord, now: number): ApprovalState {
  if (record.state === APPROVAL_STATE.PENDING && record.expiresAt <= now) return APPROVAL_STATE.EXPIRED;
  if (record.state === APPROVAL_STATE.APPROVED && (record.completeBy ?? 0) <= now) return APPROVAL_STATE.EXPIRED;
  return record.state;
}

function toItem(r: ApprovalRecord, windowMs: number): Record<string, AttributeValue> {
  return {
    ...keyOf(r.id),
    id: S(r.id),
    state: S(r.state),
    requesterSub: S(r.requester.sub),
    requesterUsername: S(r.requester.username),
    targetSub: S(r.target.sub),
    targetUsername: S(r.target.username),
    reason: S(r.reason),
    strategy: S(r.strategy),
    durationMinutes: N(r.durationMinutes),
    requestedAt: N(r.requestedAt),
    expiresAt: N(r.expiresAt),
    // Kept for a while after the last moment it could be used (approved at the deadline, used at the end of the window).
    [BROKER_STATE.TTL_ATTRIBUTE]: N(Math.ceil((r.expiresAt + windowMs + LIMITS.APPROVAL_RETENTION_DAYS * DAY_MS) / 1000)),
  };
}

/** The stored item as a record; anything malformed is a LookupFailed (never taken for valid). */
export function fromItem(item: Record<string, AttributeValue>): ApprovalRecord {
  const s = (name: string) => item[name]?.S;
  const n = (name: string) => (item[name]?.N === undefined ? undefined : Number(item[name].N));
  const state = s('state');
  const required = [s('id'), s('requesterSub'), s('requesterUsername'), s('targetSub'), s('targetUsername'), s('strategy')];
  if (!state || !['PENDING', 'APPROVED', 'REJECTED', 'USED'].includes(state) || required.some((v) => !v)
    || s('reason') === undefined || n('requestedAt') === undefined || n('expiresAt') === undefined || n('durationMinutes') === undefined) {
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  const approverSub = s('approverSub');
  return {
    id: s('id')!,
    state: state as StoredApprovalState,
    requester: { sub: s('requesterSub')!, username: s('requesterUsername')! },
    target: { sub: s('targetSub')!, username: s('targetUsername')! },
    reason: s('reason')!,
    strategy: s('strategy')!,
    durationMinutes: n('durationMinutes')!,
    requestedAt: n('requestedAt')!,
    expiresAt: n('expiresAt')!,
    decidedAt: n('decidedAt'),
    approver: approverSub ? { sub: approverSub, username: s('approverUsername') ?? '' } : undefined,
    completeBy: n('completeBy'),
    rejectionNote: s('rejectionNote'),
    usedAt: n('usedAt'),
  };
}

const conditionFailed = (err: unknown) => errorNameOf(err) === 'ConditionalCheckFailedException';

/** Creates a PENDING request (never overwrites one). Any failure is LookupFailed. */
export async function createApproval(table: TableRef, record: ApprovalRecord, windowMs: number): Promise<void> {
  try {
    await table.client.send(new PutItemCommand({
      TableName: table.tableName,
      Item: toItem(record, windowMs),
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
}

/** The request, read consistently; undefined when there is none. */
export async function getApproval(table: TableRef, id: string): Promise<ApprovalRecord | undefined> {
  let item: Record<string, AttributeValue> | undefined;
  try {
    item = (await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: keyOf(id), ConsistentRead: true }))).Item;
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  return item ? fromItem(item) : undefined;
}

/** A decision: approve (the requester then has `windowMs` to complete) or reject (with an optional note). */
export type Decision =
  | { readonly kind: 'APPROVED'; readonly windowMs: number }
  | { readonly kind: 'REJECTED'; readonly note?: string };

/**
 * Decides a PENDING request in ONE conditional write: it must still be PENDING, not expired,
 * and not the decider's own. Of two racing decisions exactly one wins; the loser, and every
 * decision that is not allowed, is refused with the reason the current item gives.
 */
export async function decideApproval(table: TableRef, id: string, decider: Principal, decision: Decision, now: number): Promise<ApprovalRecord> {
  const values: Record<string, AttributeValue> = {
    ':pending': S(APPROVAL_STATE.PENDING),
    ':now': N(now),
    ':caller': S(decider.sub),
    ':decision': S(decision.kind),
    ':approverSub': S(decider.sub),
    ':approverUsername': S(decider.username),
  };
  const sets = ['#state = :decision', 'decidedAt = :now', 'approverSub = :approverSub', 'approverUsername = :approverUsername'];
  if (decision.kind === 'APPROVED') {
    values[':completeBy'] = N(now + decision.windowMs);
    sets.push('completeBy = :completeBy');
  } else if (decision.note !== undefined) {
    values[':note'] = S(decision.note);
    sets.push('rejectionNote = :note');
  }
  try {
    const out = await table.client.send(new UpdateItemCommand({
      TableName: table.tableName,
      Key: keyOf(id),
      ConditionExpression: 'attribute_exists(pk) AND #state = :pending AND expiresAt > :now AND requesterSub <> :caller',
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }));
    return fromItem(out.Attributes ?? {});
  } catch (err) {
    if (err instanceof ImpersonationRefused) throw err;
    if (!conditionFailed(err)) throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  throw new ImpersonationRefused(whyNotDecided(await getApproval(table, id), decider, now));
}

function whyNotDecided(record: ApprovalRecord | undefined, decider: Principal, now: number): DenialReason {
  if (!record) return DENIAL_REASON.APPROVAL_NOT_FOUND;
  if (record.requester.sub === decider.sub) return DENIAL_REASON.SELF_APPROVAL;
  switch (stateAt(record, now)) {
    case APPROVAL_STATE.EXPIRED:
      return record.state === APPROVAL_STATE.PENDING ? DENIAL_REASON.APPROVAL_EXPIRED : DENIAL_REASON.APPROVAL_ALREADY_APPROVED;
    case APPROVAL_STATE.APPROVED: return DENIAL_REASON.APPROVAL_ALREADY_APPROVED;
    case APPROVAL_STATE.REJECTED: return DENIAL_REASON.APPROVAL_REJECTED;
    case APPROVAL_STATE.USED: return DENIAL_REASON.APPROVAL_USED;
    // PENDING and decidable, yet the write's condition failed: nothing is assumed.
    default: return DENIAL_REASON.LOOKUP_FAILED;
  }
}

/**
 * Spends an approval in ONE conditional write: APPROVED, within its completion window, and
 * bound to this requester, target, reason, strategy and duration; it becomes USED. A refused
 * use is explained from the item as it is (not found, pending, rejected, expired, used,
 * bound to something else). Once this returns the approval is spent, whatever the start does next.
 */
export async function useApproval(table: TableRef, id: string, binding: ApprovalBinding, now: number): Promise<ApprovalRecord> {
  try {
    const out = await table.client.send(new UpdateItemCommand({
      TableName: table.tableName,
      Key: keyOf(id),
      ConditionExpression: '#state = :approved AND completeBy > :now AND requesterSub = :requester AND targetSub = :target'
        + ' AND reason = :reason AND strategy = :strategy AND durationMinutes = :duration',
      UpdateExpression: 'SET #state = :used, usedAt = :now',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':approved': S(APPROVAL_STATE.APPROVED),
        ':used': S(APPROVAL_STATE.USED),
        ':now': N(now),
        ':requester': S(binding.requester.sub),
        ':target': S(binding.target.sub),
        ':reason': S(binding.reason),
        ':strategy': S(binding.strategy),
        ':duration': N(binding.durationMinutes),
      },
      ReturnValues: 'ALL_NEW',
    }));
    return fromItem(out.Attributes ?? {});
  } catch (err) {
    if (err instanceof ImpersonationRefused) throw err;
    if (!conditionFailed(err)) throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  throw new ImpersonationRefused(whyNotUsable(await getApproval(table, id), binding, now));
}

function whyNotUsable(record: ApprovalRecord | undefined, binding: ApprovalBinding, now: number): DenialReason {
  if (!record) return DENIAL_REASON.APPROVAL_NOT_FOUND;
  const bound = record.requester.sub === binding.requester.sub && record.target.sub === binding.target.sub
    && record.reason === binding.reason && record.strategy === binding.strategy && record.durationMinutes === binding.durationMinutes;
  if (!bound) return DENIAL_REASON.APPROVAL_MISMATCH;
  switch (stateAt(record, now)) {
    case APPROVAL_STATE.PENDING: return DENIAL_REASON.APPROVAL_PENDING;
    case APPROVAL_STATE.EXPIRED: return DENIAL_REASON.APPROVAL_EXPIRED;
    case APPROVAL_STATE.REJECTED: return DENIAL_REASON.APPROVAL_REJECTED;
    case APPROVAL_STATE.USED: return DENIAL_REASON.APPROVAL_USED;
    default: return DENIAL_REASON.LOOKUP_FAILED;
  }
}

/**
 * Every approval request in the table (a Scan filtered on the `approval#` prefix), at most
 * MAX_APPROVAL_SCAN_PAGES pages: `truncated` says there was more.
 */
export async function scanApprovals(table: TableRef): Promise<{ records: ApprovalRecord[]; truncated: boolean }> {
  const records: ApprovalRecord[] = [];
  let start: Record<string, AttributeValue> | undefined;
  let pages = 0;
  try {
    do {
      if (pages++ === LIMITS.MAX_APPROVAL_SCAN_PAGES) return { records, truncated: true };
      const page = await table.client.send(new ScanCommand({
        TableName: table.tableName,
        ConsistentRead: true,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': S(BROKER_STATE.PREFIX.APPROVAL) },
        ExclusiveStartKey: start,
      }));
      for (const item of page.Items ?? []) records.push(fromItem(item));
      start = page.LastEvaluatedKey;
    } while (start);
  } catch (err) {
    if (err instanceof ImpersonationRefused) throw err;
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  return { records, truncated: false };
}
