import { TransactWriteItemsCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { stateTable, ttlOf } from './state-table';
import { BROKER_STATE, DENIAL_REASON, ENV, LIMITS } from '../../src/private/contract';
import type { TableRef } from '../common/aws-clients';
import { ImpersonationRefused, errorNameOf, type DenialReason } from '../common/errors';

/**
 * Volume limits (the construct's `limits`): at most N starts per admin per clock hour and at
 * most M starts of one target per UTC day, counted in the broker state table, one item per
 * window (`starts-by-admin#<sub>#2026-12-02T09`, `starts-of-target#<sub>#2026-12-02`). Both
 * counters move in one transaction, each conditional on staying within its limit: a start is
 * admitted by both or by neither, and concurrent starts can never overshoot.
 */
export interface VolumeLimits {
  readonly perAdminPerHour?: number;
  readonly perTargetPerDay?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The limits the construct configured; none when neither is set. A malformed value refuses every start (fail closed). */
export function readVolumeLimits(env: NodeJS.ProcessEnv): VolumeLimits | undefined {
  const read = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined) return undefined;
    const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= LIMITS.MAX_VOLUME_LIMIT)) throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
    return n;
  };
  const perAdminPerHour = read(ENV.MAX_STARTS_PER_ADMIN_PER_HOUR);
  const perTargetPerDay = read(ENV.MAX_STARTS_PER_TARGET_PER_DAY);
  return perAdminPerHour === undefined && perTargetPerDay === undefined ? undefined : { perAdminPerHour, perTargetPerDay };
}

/** The clock window `nowMs` falls in: its label (`2026-12-02T09`, `2026-12-02`) and when it ends. */
function windowOf(nowMs: number, lengthMs: number, labelLength: number): { label: string; endMs: number } {
  const startMs = Math.floor(nowMs / lengthMs) * lengthMs;
  return { label: new Date(startMs).toISOString().slice(0, labelLength), endMs: startMs + lengthMs };
}

/** A window's counter: one more start, unless it already holds `max`; gone by TTL at `expireAtMs`. */
function countIn(table: TableRef, pk: string, max: number, expireAtMs: number): TransactWriteItem {
  return {
    Update: {
      TableName: table.tableName,
      Key: { pk: { S: pk } },
      UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
      ExpressionAttributeNames: { '#count': 'starts', '#ttl': BROKER_STATE.TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':max': { N: String(max) }, ':ttl': ttlOf(expireAtMs) },
    },
  };
}

/**
 * Counts this start against the limits, or refuses it: `AdminLimitReached` /
 * `TargetLimitReached` when a window is full (nothing counted), `LookupFailed` when the
 * table cannot say (throttled, or an answer lost: the start may then have been counted,
 * which errs on the side of fewer impersonations).
 */
export async function admitStart(
  limits: VolumeLimits,
  who: { adminSub: string; targetSub: string },
  nowMs: number,
  table: TableRef = stateTable(),
): Promise<void> {
  // Each counter is kept one window beyond its own, then removed by TTL.
  const checks: Array<{ item: TransactWriteItem; reason: DenialReason }> = [];
  if (limits.perAdminPerHour !== undefined) {
    const hour = windowOf(nowMs, HOUR_MS, 13);
    checks.push({
      item: countIn(table, `${BROKER_STATE.PREFIX.ADMIN_STARTS}${who.adminSub}#${hour.label}`, limits.perAdminPerHour, hour.endMs + HOUR_MS),
      reason: DENIAL_REASON.ADMIN_LIMIT_REACHED,
    });
  }
  if (limits.perTargetPerDay !== undefined) {
    const day = windowOf(nowMs, DAY_MS, 10);
    checks.push({
      item: countIn(table, `${BROKER_STATE.PREFIX.TARGET_STARTS}${who.targetSub}#${day.label}`, limits.perTargetPerDay, day.endMs + DAY_MS),
      reason: DENIAL_REASON.TARGET_LIMIT_REACHED,
    });
  }
  if (checks.length === 0) return;
  try {
    await table.client.send(new TransactWriteItemsCommand({ TransactItems: checks.map((c) => c.item) }));
  } catch (err) {
    if (errorNameOf(err) === 'TransactionCanceledException') {
      const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
      const full = checks.find((_, i) => reasons[i]?.Code === 'ConditionalCheckFailed');
      if (full) throw new ImpersonationRefused(full.reason);
    }
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
}
