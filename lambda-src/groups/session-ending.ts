import type { Context } from 'aws-lambda';
import { lifecycleOf } from './clients';
import { readLifecycleEnvironment } from './environment';
import { GroupChangeFailed, SessionBusy, endSession, isDue, type Lifecycle } from './lifecycle';
import { SessionConflict, getSession, scanSessions, type SessionRecord } from './session-store';
import { AUDIT_EVENT, DENIAL_REASON, END_CAUSE, ENV, PATTERN, SOURCE, STRATEGY } from '../../src/private/contract';
import { auditWriter, type AuditOutcome } from '../common/audit';

/**
 * The three ends that are not the admin's own request: a session's expiry schedule firing
 * (EndSession), the sweeper (a recurring schedule that ends what was missed), and the
 * construct's deletion (a custom resource that ends every session). Each writes exactly one
 * audit event per session it acts on, and fails (so that it is retried and alarmed) when a
 * session could not be ended.
 */

type Audit = (outcome: AuditOutcome) => void;

function auditFor(source: string, context: Pick<Context, 'awsRequestId'>): Audit {
  return auditWriter({ strategy: STRATEGY.GROUPS, source, userPoolId: process.env[ENV.USER_POOL_ID] ?? '', requestId: context.awsRequestId });
}

/**
 * Before expiresAt by more than this, an invocation is an operator's revocation, not the
 * schedule firing (which is never early; a minute absorbs any clock difference).
 */
const EXPIRY_TOLERANCE_MS = 60_000;

function failureReasonOf(err: unknown): string {
  if (err instanceof SessionBusy || err instanceof SessionConflict) return DENIAL_REASON.SESSION_BUSY;
  if (err instanceof GroupChangeFailed) return DENIAL_REASON.GROUP_CHANGE_FAILED;
  return DENIAL_REASON.INTERNAL_ERROR;
}

/** Ends one session and writes its one event; rethrows after an end_failed event. */
async function endAndRecord(lc: Lifecycle, audit: Audit, session: SessionRecord, cause: string): Promise<readonly string[]> {
  const about = { actor: session.admin, target: session.target, sessionId: session.sessionId, cause, expiresAt: session.expiresAt };
  try {
    const ended = await endSession(lc, session);
    audit({
      event: AUDIT_EVENT.ENDED,
      ...about,
      groupsRemoved: ended.groupsRemoved,
      ...(ended.adminGone ? { adminGone: true } : {}),
      startedAt: session.startedAt,
    });
    return ended.groupsRemoved;
  } catch (err) {
    audit({ event: AUDIT_EVENT.END_FAILED, ...about, failureReason: failureReasonOf(err) });
    throw err;
  }
}

/** What EndSession answers (the scheduler ignores it; an operator invoking it reads it). */
export interface EndSessionResult {
  readonly ended: boolean;
  readonly sessionId?: string;
  readonly groupsRemoved?: readonly string[];
}

/**
 * EndSession: invoked by a session's schedule at expiresAt with `{ sessionId, adminSub }`, or
 * by an operator with the same JSON to end a session early. The session itself (whose groups
 * to remove, from whom) is read from the table, so an invocation can only end a session the
 * broker started. Exactly one audit event per invocation.
 */
export async function handleExpiry(event: unknown, context: Pick<Context, 'awsRequestId'>): Promise<EndSessionResult> {
  const userPoolId = process.env[ENV.USER_POOL_ID] ?? '';
  const audit = auditFor(SOURCE.END_SESSION, context);
  const body = (typeof event === 'object' && event !== null && !Array.isArray(event) ? event : {}) as Record<string, unknown>;
  const sessionId = typeof body.sessionId === 'string' && PATTERN.UUID.test(body.sessionId) ? body.sessionId : undefined;
  const adminSub = typeof body.adminSub === 'string' && PATTERN.UUID.test(body.adminSub) ? body.adminSub : undefined;
  if (!sessionId || !adminSub) {
    // Not a session's schedule: nothing is read or changed, and retrying would not help.
    audit({ event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.INVALID_REQUEST });
    return { ended: false };
  }
  let lc: Lifecycle;
  let session: SessionRecord | undefined;
  try {
    lc = lifecycleOf(readLifecycleEnvironment(process.env, { needsExpiry: false }));
  } catch (err) {
    audit({ event: AUDIT_EVENT.END_FAILED, sessionId, failureReason: DENIAL_REASON.MISCONFIGURED });
    throw err;
  }
  try {
    session = await getSession(lc.table, adminSub);
  } catch (err) {
    audit({ event: AUDIT_EVENT.END_FAILED, sessionId, failureReason: DENIAL_REASON.LOOKUP_FAILED });
    throw err;
  }
  if (!session || session.sessionId !== sessionId || session.userPoolId !== userPoolId) {
    // Ended already (explicitly, superseded, by the sweeper or an earlier attempt).
    audit({ event: AUDIT_EVENT.ENDED, cause: END_CAUSE.EXPIRED, sessionId, alreadyEnded: true, groupsRemoved: [] });
    return { ended: false, sessionId };
  }
  const early = lc.now() + EXPIRY_TOLERANCE_MS < Date.parse(session.expiresAt);
  const groupsRemoved = await endAndRecord(lc, audit, session, early ? END_CAUSE.REVOKED : END_CAUSE.EXPIRED);
  return { ended: true, sessionId, groupsRemoved };
}

/** What one sweep did. */
export interface SweepResult {
  readonly ended: number;
  readonly failed: number;
}

/**
 * The sweeper: ends every session whose expiry was missed (its schedule's invocations all
 * failed, or it was lost) and every session a start or end left behind when it died (its
 * lease has passed). One audit event per session it acts on; throws when one could not be
 * ended, so that the invocation counts as an error (alarmed) and the next sweep retries.
 */
export async function handleSweep(context: Pick<Context, 'awsRequestId'>): Promise<SweepResult> {
  const audit = auditFor(SOURCE.SWEEPER, context);
  let lc: Lifecycle;
  let sessions: SessionRecord[];
  try {
    lc = lifecycleOf(readLifecycleEnvironment(process.env, { needsExpiry: false }));
    ({ sessions } = await scanSessions(lc.table));
  } catch (err) {
    audit({ event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.LOOKUP_FAILED });
    throw err;
  }
  let ended = 0;
  let failed = 0;
  for (const session of sessions) {
    const now = lc.now();
    if (!isDue(session, now)) continue;
    const cause = Date.parse(session.expiresAt) <= now ? END_CAUSE.EXPIRED : END_CAUSE.RECOVERED;
    try {
      await endAndRecord(lc, audit, session, cause);
      ended++;
    } catch {
      failed++;
    }
  }
  if (failed > 0) throw new Error(`${failed} of ${ended + failed} due sessions could not be ended`);
  return { ended, failed };
}

/**
 * Ends every session (the construct is being deleted). A session another handler holds is
 * waited for until its lease passes. Throws when one could not be ended: the deletion then
 * fails, and can be retried, rather than leave borrowed groups without anything to remove them.
 */
export async function endAllSessions(
  context: Pick<Context, 'awsRequestId'>,
  sleep: (ms: number) => Promise<void>,
): Promise<{ ended: number }> {
  const audit = auditFor(SOURCE.END_ALL_SESSIONS, context);
  const lc = lifecycleOf(readLifecycleEnvironment(process.env, { needsExpiry: false }));
  let ended = 0;
  for (let round = 0; round < 3; round++) {
    const { sessions } = await scanSessions(lc.table);
    if (sessions.length === 0) return { ended };
    for (const listed of sessions) {
      const wait = listed.leaseUntil - lc.now();
      if (wait > 0) await sleep(wait);
      try {
        const session = await getSession(lc.table, listed.admin.sub);
        if (!session) continue;
        await endAndRecord(lc, audit, session, END_CAUSE.DELETED);
        ended++;
      } catch {
        // Tried again in the next round; what is left after the last one fails the deletion.
      }
    }
  }
  const { sessions } = await scanSessions(lc.table);
  if (sessions.length > 0) throw new Error(`${sessions.length} sessions could not be ended`);
  return { ended };
}
