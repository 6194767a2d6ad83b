import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { LIMITS, PATTERN } from '../../src/private/contract';
import type { TableRef } from '../common/aws-clients';

/**
 * The groups sessions' store: one DynamoDB item per admin (partition key `pk` = the admin's
 * `sub`), so that everything that changes an admin's borrowed groups — start, end, expiry,
 * the sweeper — is serialized on that item with conditional writes.
 *
 * Every write names the version it read (`ver`) and sets the next one: of two handlers that
 * read the same item, only one can write it. A handler that is about to change groups first
 * takes the item's lease (`lease`, until when it may work on it); nobody else takes a live
 * lease, and a lease outlives the function's timeout, so that a handler that died holding it
 * cannot come back after someone else took over.
 *
 *   (none) --start: put PLANNED+lease--> PLANNED --planned groups written--> PLANNED
 *     --schedule created, groups added--> ACTIVE (lease released)
 *   ACTIVE/PLANNED/ENDING --claim: ENDING+lease--> ENDING --groups removed, schedule deleted--> (item deleted)
 */

export const SESSION_STATE = {
  /** A start holds the item: planned groups are (being) recorded and added. */
  PLANNED: 'PLANNED',
  /** Every planned group was added; the session runs until expiresAt. */
  ACTIVE: 'ACTIVE',
  /** An end holds (or held) the item: its groups are being removed. */
  ENDING: 'ENDING',
} as const;

export type SessionState = (typeof SESSION_STATE)[keyof typeof SESSION_STATE];

/** One admin's session, as stored. */
export interface SessionRecord {
  readonly sessionId: string;
  readonly state: SessionState;
  /** Incremented by every write; every write is conditional on the version it read. */
  readonly version: number;
  /** Until when (epoch ms) the handler that last claimed the item may work on it; 0 when released. */
  readonly leaseUntil: number;
  /** A random id of the last claim, so that a handler can tell its own write from another's. */
  readonly claimId: string;
  readonly userPoolId: string;
  /** The admin's live account when the session started (sub, as Cognito returned it for username). */
  readonly admin: { readonly sub: string; readonly username: string };
  readonly target: { readonly sub?: string; readonly username: string };
  /**
   * The target's groups the admin lacked when the session was planned: recorded before any is
   * added, the only groups the session ever adds or removes.
   */
  readonly groups: readonly string[];
  readonly reason?: string;
  readonly startedAt: string;
  readonly expiresAt: string;
  readonly scheduleName: string;
}

/** A conditional write lost against another handler's write (or the item is not what was read). */
export class SessionConflict extends Error {
  public readonly name = 'SessionConflict';
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

function toItem(r: SessionRecord): Record<string, AttributeValue> {
  return {
    pk: S(r.admin.sub),
    sid: S(r.sessionId),
    state: S(r.state),
    ver: N(r.version),
    lease: N(r.leaseUntil),
    claim: S(r.claimId),
    pool: S(r.userPoolId),
    adminUser: S(r.admin.username),
    targetUser: S(r.target.username),
    ...(r.target.sub ? { targetSub: S(r.target.sub) } : {}),
    groups: { L: r.groups.map(S) },
    ...(r.reason ? { reason: S(r.reason) } : {}),
    startedAt: S(r.startedAt),
    expiresAt: S(r.expiresAt),
    // For the sweeper's filter, in seconds like a TTL attribute would be.
    expiresEpoch: N(Math.floor(Date.parse(r.expiresAt) / 1000)),
    sched: S(r.scheduleName),
  };
}

const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
const STATES = new Set<string>(Object.values(SESSION_STATE));

/** A record from an item, checked field by field; throws on anything else (the table is ours alone). */
export function fromItem(item: Record<string, AttributeValue>): SessionRecord {
  const s = (name: string) => item[name]?.S;
  const n = (name: string) => (item[name]?.N === undefined ? NaN : Number(item[name].N));
  const groups = item.groups?.L?.map((g) => g.S);
  const record = {
    sessionId: s('sid'),
    state: s('state'),
    version: n('ver'),
    leaseUntil: n('lease'),
    claimId: s('claim'),
    userPoolId: s('pool'),
    admin: { sub: s('pk'), username: s('adminUser') },
    target: { sub: s('targetSub'), username: s('targetUser') },
    groups,
    reason: s('reason'),
    startedAt: s('startedAt'),
    expiresAt: s('expiresAt'),
    scheduleName: s('sched'),
  };
  const ok = PATTERN.UUID.test(record.sessionId ?? '') && PATTERN.UUID.test(record.admin.sub ?? '')
    && STATES.has(record.state ?? '') && Number.isInteger(record.version) && record.version > 0
    && Number.isFinite(record.leaseUntil) && !!record.claimId && !!record.userPoolId && !!record.admin.username && !!record.target.username
    && Array.isArray(groups) && groups.length <= LIMITS.MAX_GROUPS_PER_USER
    && groups.every((g) => typeof g === 'string' && PATTERN.GROUP_NAME.test(g))
    && isTime(record.startedAt) && isTime(record.expiresAt) && !!record.scheduleName;
  if (!ok) throw new Error('the session table holds an item this construct did not write');
  return record as SessionRecord;
}

const isConditionFailure = (err: unknown) => (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/** The admin's session, read consistently; undefined when there is none. */
export async function getSession(table: TableRef, adminSub: string): Promise<SessionRecord | undefined> {
  const out = await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: { pk: S(adminSub) }, ConsistentRead: true }));
  return out.Item ? fromItem(out.Item) : undefined;
}

/** Stores a new session; SessionConflict when the admin already has one. */
export async function createSession(table: TableRef, record: SessionRecord): Promise<void> {
  try {
    await table.client.send(new PutItemCommand({
      TableName: table.tableName,
      Item: toItem(record),
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  } catch (err) {
    if (isConditionFailure(err)) throw new SessionConflict('the admin already has a session');
    throw err;
  }
}

/**
 * Writes `next` over `read` (same admin, same session), if the item is still exactly the
 * version that was read; `next.version` must be `read.version + 1`. SessionConflict otherwise.
 */
export async function replaceSession(table: TableRef, read: SessionRecord, next: SessionRecord): Promise<void> {
  if (next.version !== read.version + 1 || next.sessionId !== read.sessionId || next.admin.sub !== read.admin.sub) {
    throw new Error('not the next version of the same session');
  }
  try {
    await table.client.send(new PutItemCommand({
      TableName: table.tableName,
      Item: toItem(next),
      ConditionExpression: '#sid = :sid AND #ver = :ver',
      ExpressionAttributeNames: { '#sid': 'sid', '#ver': 'ver' },
      ExpressionAttributeValues: { ':sid': S(read.sessionId), ':ver': N(read.version) },
    }));
  } catch (err) {
    if (isConditionFailure(err)) throw new SessionConflict('the session changed since it was read');
    throw err;
  }
}

/**
 * Deletes the session if it is still the version that was read. A session that is already
 * gone counts as deleted (a retry after a lost response); one that changed is a SessionConflict.
 */
export async function deleteSession(table: TableRef, read: SessionRecord): Promise<void> {
  try {
    await table.client.send(new DeleteItemCommand({
      TableName: table.tableName,
      Key: { pk: S(read.admin.sub) },
      ConditionExpression: 'attribute_not_exists(pk) OR (#sid = :sid AND #ver = :ver)',
      ExpressionAttributeNames: { '#sid': 'sid', '#ver': 'ver' },
      ExpressionAttributeValues: { ':sid': S(read.sessionId), ':ver': N(read.version) },
    }));
  } catch (err) {
    if (isConditionFailure(err)) {
      const now = await getSession(table, read.admin.sub);
      if (!now || now.sessionId !== read.sessionId) return;
      throw new SessionConflict('the session changed since it was read');
    }
    throw err;
  }
}

/** Every session in the table (all pages), at most `limit`; `truncated` when there were more. */
export async function scanSessions(
  table: TableRef,
  limit: number = Number.MAX_SAFE_INTEGER,
): Promise<{ sessions: SessionRecord[]; truncated: boolean }> {
  const sessions: SessionRecord[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await table.client.send(new ScanCommand({ TableName: table.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      if (sessions.length === limit) return { sessions, truncated: true };
      sessions.push(fromItem(item));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { sessions, truncated: false };
}
