import { randomUUID } from 'crypto';
import { lifecycleOf } from './clients';
import { readLifecycleEnvironment, type LifecycleEnvironment } from './environment';
import {
  AdminMismatch,
  GroupChangeFailed,
  LookupFailed,
  ScheduleFailed,
  SessionBusy,
  TooManyGroups,
  assertLiveAdmin,
  endSession,
  startSession,
  type Ended,
  type Lifecycle,
} from './lifecycle';
import { scheduleNameOf } from './schedule-names';
import { SessionConflict, getSession, scanSessions, type SessionRecord } from './session-store';
import { AUDIT_EVENT, DENIAL_REASON, END_CAUSE, LIMITS, PATTERN } from '../../src/private/contract';
import type { ActionContext, ApprovalPendingResponse } from '../common/broker-action';
import { ImpersonationRefused } from '../common/errors';
import { validateImpersonationRequest } from '../common/impersonation-request';
import { assertTargetAllowed, resolveTargetByUsernameOrSub } from '../common/target';

/** The groups strategy's broker actions: `start`, `end` and `list`, on the session table. */

/** Told to the admin with every started session. */
export const REFRESH_MESSAGE = 'Refresh your tokens (sign in again) to receive the groups; they are removed at expiresAt.';

/** A successful `start`. */
export interface StartGroupsResponse {
  readonly sessionId: string;
  readonly target: { readonly username: string; readonly sub?: string };
  readonly groupsAdded: readonly string[];
  readonly startedAt: string;
  readonly expiresAt: string;
  /** Seconds until expiresAt. */
  readonly expiresIn: number;
  readonly message: string;
}

/** A successful `end`. */
export interface EndOwnSessionsResponse {
  /** The session this request ended (none when there was nothing to end). */
  readonly ended: ReadonlyArray<{ readonly sessionId: string; readonly groupsRemoved: readonly string[] }>;
  readonly message: string;
}

/** One session as `list` shows it. */
export interface SessionSummary {
  readonly sessionId: string;
  readonly admin: { readonly sub: string; readonly username: string };
  readonly target: { readonly sub?: string; readonly username: string };
  readonly groupsAdded: readonly string[];
  readonly reason?: string;
  readonly startedAt: string;
  readonly expiresAt: string;
  /** PLANNED (being started), ACTIVE, or ENDING (being ended, or its end is being retried). */
  readonly state: string;
  /** True once expiresAt has passed: the end is due or being retried (see the alarms). */
  readonly expired: boolean;
}

/** A successful `list`. */
export interface ListGroupsResponse {
  readonly sessions: readonly SessionSummary[];
  /** More sessions exist than one answer lists. */
  readonly truncated: boolean;
}

function environment(needsExpiry: boolean): LifecycleEnvironment {
  try {
    return readLifecycleEnvironment(process.env, { needsExpiry });
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  }
}

/** Fields an action does not take make the request malformed: nothing is ignored silently. */
function refuseFields(ctx: ActionContext, fields: ReadonlyArray<'target' | 'reason' | 'sessionId' | 'durationMinutes'>): void {
  if (fields.some((f) => ctx.request[f] !== undefined)) throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
}

function adminOf(ctx: ActionContext): { sub: string; username: string } {
  // Cognito's sub is a UUID; sessions are keyed by it.
  if (!ctx.actor.sub || !PATTERN.UUID.test(ctx.actor.sub)) throw new ImpersonationRefused(DENIAL_REASON.INTERNAL_ERROR);
  return { sub: ctx.actor.sub, username: ctx.actor.username };
}

/** The lifecycle's typed failures as the broker's refusals. */
function refusalOf(err: unknown): unknown {
  if (err instanceof ImpersonationRefused) return err;
  if (err instanceof SessionBusy || err instanceof SessionConflict) return new ImpersonationRefused(DENIAL_REASON.SESSION_BUSY);
  if (err instanceof AdminMismatch) return new ImpersonationRefused(DENIAL_REASON.NOT_ADMIN);
  if (err instanceof TooManyGroups) return new ImpersonationRefused(DENIAL_REASON.TOO_MANY_GROUPS);
  if (err instanceof ScheduleFailed) return new ImpersonationRefused(DENIAL_REASON.SCHEDULE_FAILED);
  if (err instanceof GroupChangeFailed) return new ImpersonationRefused(DENIAL_REASON.GROUP_CHANGE_FAILED);
  if (err instanceof LookupFailed) return new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  return new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
}

async function read(lc: Lifecycle, adminSub: string): Promise<SessionRecord | undefined> {
  try {
    return await getSession(lc.table, adminSub);
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
}

/** Ends the caller's session and records it (one event); a failure refuses the request. */
async function endAndAudit(ctx: ActionContext, lc: Lifecycle, session: SessionRecord, cause: string): Promise<Ended> {
  let ended: Ended;
  try {
    ended = await endSession(lc, session);
  } catch (err) {
    // The record stays: the end is retried by the next request, at expiry, or by the sweeper.
    ctx.noteFailedSession(session.sessionId);
    throw refusalOf(err);
  }
  ctx.audit({
    event: AUDIT_EVENT.ENDED,
    cause,
    sessionId: session.sessionId,
    target: session.target,
    groupsRemoved: ended.groupsRemoved,
    ...(ended.adminGone ? { adminGone: true } : {}),
    startedAt: session.startedAt,
    expiresAt: session.expiresAt,
  });
  return ended;
}

/**
 * `start`: adds to the admin's own account the target's groups the admin lacks, until
 * expiresAt. Every check first (nothing has changed when one fails); then the admin's
 * previous session ends (superseded); then the lifecycle records, schedules and adds.
 */
export async function startGroups(ctx: ActionContext): Promise<StartGroupsResponse | ApprovalPendingResponse> {
  refuseFields(ctx, ['sessionId']);
  const { target: requested, reason } = validateImpersonationRequest(ctx.request.target, ctx.request.reason, ctx.config);
  const env = environment(true);
  const minutes = ctx.request.durationMinutes ?? env.defaultMinutes;
  if (minutes < LIMITS.MIN_SESSION_MINUTES || minutes > env.maxMinutes) {
    throw new ImpersonationRefused(DENIAL_REASON.DURATION_OUT_OF_RANGE);
  }
  const admin = adminOf(ctx);
  const lc = lifecycleOf(env);
  const target = await resolveTargetByUsernameOrSub(lc.cognito, ctx.userPoolId, requested);
  ctx.noteTarget({ requested, sub: target.sub, username: target.username });
  assertTargetAllowed(ctx.actor, target, ctx.config);
  try {
    await assertLiveAdmin(lc, ctx.userPoolId, admin);
  } catch (err) {
    throw refusalOf(err);
  }
  // Four-eyes, after every check and before anything changes: a pending request is the answer.
  const pending = await ctx.approvalGate({ target, reason, durationMinutes: minutes });
  if (pending) return pending;
  // Counted before the previous session is superseded: a refused start changes nothing.
  await ctx.admitStart(target);

  const previous = await read(lc, admin.sub);
  if (previous) await endAndAudit(ctx, lc, previous, END_CAUSE.SUPERSEDED);

  const sessionId = randomUUID();
  let session: SessionRecord;
  try {
    session = await startSession(lc, {
      sessionId,
      scheduleName: scheduleNameOf(admin.sub, sessionId),
      userPoolId: ctx.userPoolId,
      admin,
      target,
      reason,
      minutes,
    });
  } catch (err) {
    throw refusalOf(err);
  }
  ctx.audit({
    event: AUDIT_EVENT.GRANTED,
    target: { requested, sub: target.sub, username: target.username },
    reason,
    sessionId,
    groupsAdded: session.groups,
    startedAt: session.startedAt,
    expiresAt: session.expiresAt,
  });
  return {
    sessionId,
    target: { username: target.username, sub: target.sub },
    groupsAdded: session.groups,
    startedAt: session.startedAt,
    expiresAt: session.expiresAt,
    expiresIn: Math.round((Date.parse(session.expiresAt) - Date.parse(session.startedAt)) / 1000),
    message: REFRESH_MESSAGE,
  };
}

/**
 * `end`: ends the caller's own session (the one named by `sessionId`, or whichever they
 * have). Ending what has already ended changes nothing and says so.
 */
export async function endOwnSessions(ctx: ActionContext): Promise<EndOwnSessionsResponse> {
  refuseFields(ctx, ['target', 'reason', 'durationMinutes']);
  const requested = ctx.request.sessionId;
  if (requested !== undefined && !PATTERN.UUID.test(requested)) throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
  const env = environment(false);
  const admin = adminOf(ctx);
  const lc = lifecycleOf(env);
  const session = await read(lc, admin.sub);
  if (!session || (requested !== undefined && session.sessionId !== requested)) {
    ctx.audit({ event: AUDIT_EVENT.ENDED, cause: END_CAUSE.EXPLICIT, sessionId: requested, alreadyEnded: true, groupsRemoved: [] });
    return { ended: [], message: 'You have no active session to end.' };
  }
  const { groupsRemoved } = await endAndAudit(ctx, lc, session, END_CAUSE.EXPLICIT);
  return {
    ended: [{ sessionId: session.sessionId, groupsRemoved }],
    message: 'Ended: the groups were removed and you were signed out everywhere. Sign in again.',
  };
}

/** `list`: every session in the table, earliest expiry first. */
export async function listGroups(ctx: ActionContext): Promise<ListGroupsResponse> {
  refuseFields(ctx, ['target', 'reason', 'sessionId', 'durationMinutes']);
  const env = environment(false);
  const lc = lifecycleOf(env);
  let result: { sessions: SessionRecord[]; truncated: boolean };
  try {
    result = await scanSessions(lc.table, LIMITS.MAX_LISTED_SESSIONS);
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  const now = lc.now();
  const sessions = result.sessions
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.sessionId.localeCompare(b.sessionId))
    .map((s): SessionSummary => ({
      sessionId: s.sessionId,
      admin: s.admin,
      target: s.target,
      groupsAdded: s.groups,
      reason: s.reason,
      startedAt: s.startedAt,
      expiresAt: s.expiresAt,
      state: s.state,
      expired: Date.parse(s.expiresAt) <= now,
    }));
  ctx.audit({ event: AUDIT_EVENT.SESSIONS_LISTED, sessionCount: sessions.length });
  return { sessions, truncated: result.truncated };
}
