import { randomUUID } from 'crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { readGroupsEnvironment, type GroupsEnvironment } from './environment';
import { GroupChangeError, addSessionGroups, undoSession } from './group-changes';
import { isUuid, scheduleNameOf, scheduleNamePrefixOf } from './schedule-names';
import { SESSION_KIND, type GroupsSession } from './session';
import { createSessionSchedule, deleteSessionSchedule, listSessions, readSession, type SessionStore } from './session-store';
import { AUDIT_EVENT, DENIAL_REASON, END_CAUSE, LIMITS } from '../../src/private/contract';
import { awsClient } from '../common/aws-clients';
import type { ActionContext } from '../common/broker-action';
import { ImpersonationRefused } from '../common/errors';
import { validateImpersonationRequest } from '../common/impersonation-request';
import { assertTargetAllowed, groupsOfUser, resolveTargetByUsernameOrSub } from '../common/target';

/** The groups strategy's broker actions: `start`, `end` and `list`. */

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
  /** The sessions this request ended (usually one; none when there was nothing to end). */
  readonly ended: ReadonlyArray<{ readonly sessionId: string; readonly groupsRemoved: readonly string[] }>;
  readonly message: string;
}

/** One session as `list` shows it: the stored session without its bookkeeping fields. */
export interface SessionSummary
  extends Pick<GroupsSession, 'sessionId' | 'admin' | 'target' | 'groupsAdded' | 'reason' | 'startedAt' | 'expiresAt'> {
  /** True once expiresAt has passed: the end is due or being retried (see the EndSession alarms). */
  readonly expired: boolean;
}

/** A successful `list`. */
export interface ListGroupsResponse {
  readonly sessions: readonly SessionSummary[];
  /** More sessions exist than one answer lists. */
  readonly truncated: boolean;
}

function environment(): GroupsEnvironment {
  try {
    return readGroupsEnvironment(process.env, { needsTarget: true });
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  }
}

function storeOf(env: GroupsEnvironment): SessionStore {
  return { scheduler: awsClient(SchedulerClient), groupName: env.groupName };
}

/** Fields an action does not take make the request malformed: nothing is ignored silently. */
function refuseFields(ctx: ActionContext, fields: ReadonlyArray<'target' | 'reason' | 'sessionId' | 'durationMinutes'>): void {
  if (fields.some((f) => ctx.request[f] !== undefined)) throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
}

function adminSubOf(ctx: ActionContext): string {
  // Cognito's sub is a UUID; session schedules are named after it.
  if (!isUuid(ctx.actor.sub)) throw new ImpersonationRefused(DENIAL_REASON.INTERNAL_ERROR);
  return ctx.actor.sub;
}

/** The caller's own sessions, read live from their schedules. */
async function sessionsOf(store: SessionStore, adminSub: string): Promise<GroupsSession[]> {
  try {
    return (await listSessions(store, { namePrefix: scheduleNamePrefixOf(adminSub) })).sessions;
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
}

/** Ends a session found for the caller and records it; a failure refuses the request. */
async function endAndAudit(ctx: ActionContext, store: SessionStore, session: GroupsSession, cause: string): Promise<readonly string[]> {
  let groupsRemoved: readonly string[];
  try {
    ({ groupsRemoved } = await undoSession(awsClient(CognitoIdentityProviderClient), store, session));
  } catch {
    // The schedule is kept: the session still ends at expiresAt, or with the next end.
    throw new ImpersonationRefused(DENIAL_REASON.GROUP_CHANGE_FAILED);
  }
  ctx.audit({
    event: AUDIT_EVENT.ENDED,
    cause,
    sessionId: session.sessionId,
    target: session.target,
    groupsRemoved,
    startedAt: session.startedAt,
    expiresAt: session.expiresAt,
  });
  return groupsRemoved;
}

/**
 * `start`: adds to the admin's own account the target's groups the admin lacks, until
 * expiresAt. Order matters: every check first (nothing has changed when one fails), then
 * the admin's previous session ends (superseded), then the schedule that ends this one is
 * created, and only then are groups added; a failed add removes what was added.
 */
export async function startGroups(ctx: ActionContext): Promise<StartGroupsResponse> {
  refuseFields(ctx, ['sessionId']);
  const { target: requested, reason } = validateImpersonationRequest(ctx.request.target, ctx.request.reason, ctx.config);
  const env = environment();
  const minutes = ctx.request.durationMinutes ?? env.defaultMinutes;
  if (minutes < LIMITS.MIN_SESSION_MINUTES || minutes > env.maxMinutes) {
    throw new ImpersonationRefused(DENIAL_REASON.DURATION_OUT_OF_RANGE);
  }
  const adminSub = adminSubOf(ctx);
  const cognito = awsClient(CognitoIdentityProviderClient);
  const target = await resolveTargetByUsernameOrSub(cognito, ctx.userPoolId, requested);
  ctx.noteTarget({ requested, sub: target.sub, username: target.username });
  assertTargetAllowed(ctx.actor, target, ctx.config);

  const store = storeOf(env);
  const previous = await sessionsOf(store, adminSub);
  let adminGroups: string[];
  try {
    adminGroups = await groupsOfUser(cognito, ctx.userPoolId, ctx.actor.username);
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  // The admin's own groups: what they have, minus what earlier sessions added (those go now).
  const borrowed = new Set(previous.flatMap((s) => s.groupsAdded));
  const own = new Set(adminGroups.filter((g) => !borrowed.has(g)));
  const groupsAdded = [...new Set(target.groups)].filter((g) => !own.has(g));
  if (own.size + groupsAdded.length > LIMITS.MAX_GROUPS_PER_USER) {
    throw new ImpersonationRefused(DENIAL_REASON.TOO_MANY_GROUPS);
  }

  for (const session of previous) {
    await endAndAudit(ctx, store, session, END_CAUSE.SUPERSEDED);
  }

  const sessionId = randomUUID();
  const now = Date.now();
  // Whole seconds, so that the schedule's at() expression is exactly the expiry.
  const expires = Math.ceil((now + minutes * 60_000) / 1000) * 1000;
  const session: GroupsSession = {
    kind: SESSION_KIND,
    version: 1,
    sessionId,
    scheduleName: scheduleNameOf(adminSub, sessionId),
    userPoolId: ctx.userPoolId,
    admin: { sub: adminSub, username: ctx.actor.username },
    target: { sub: target.sub, username: target.username },
    groupsAdded,
    reason,
    startedAt: new Date(now).toISOString(),
    expiresAt: new Date(expires).toISOString(),
  };
  try {
    await createSessionSchedule(store, env.target!, session);
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.SCHEDULE_FAILED);
  }
  try {
    await addSessionGroups(cognito, session);
  } catch (err) {
    // Back to where the admin started: then the schedule has nothing left to do. If a group
    // could not be removed, the schedule stays and removes it at expiry.
    if (err instanceof GroupChangeError && err.rolledBack) {
      await deleteSessionSchedule(store, session.scheduleName).catch(() => undefined);
    }
    throw new ImpersonationRefused(DENIAL_REASON.GROUP_CHANGE_FAILED);
  }
  ctx.audit({
    event: AUDIT_EVENT.GRANTED,
    target: { requested, sub: target.sub, username: target.username },
    reason,
    sessionId,
    groupsAdded,
    startedAt: session.startedAt,
    expiresAt: session.expiresAt,
  });
  return {
    sessionId,
    target: { username: target.username, sub: target.sub },
    groupsAdded,
    startedAt: session.startedAt,
    expiresAt: session.expiresAt,
    expiresIn: Math.round((expires - now) / 1000),
    message: REFRESH_MESSAGE,
  };
}

/**
 * `end`: ends the caller's own session (the one named by `sessionId`, or every one they
 * have). Ending what has already ended changes nothing and says so.
 */
export async function endOwnSessions(ctx: ActionContext): Promise<EndOwnSessionsResponse> {
  refuseFields(ctx, ['target', 'reason', 'durationMinutes']);
  const env = environment();
  const adminSub = adminSubOf(ctx);
  const store = storeOf(env);
  const requested = ctx.request.sessionId;
  if (requested !== undefined && !isUuid(requested)) throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
  let sessions: GroupsSession[];
  if (requested) {
    let session: GroupsSession | undefined;
    try {
      session = await readSession(store, scheduleNameOf(adminSub, requested));
    } catch {
      throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
    }
    sessions = session && session.admin.sub === adminSub && session.sessionId === requested ? [session] : [];
  } else {
    sessions = await sessionsOf(store, adminSub);
  }
  if (sessions.length === 0) {
    ctx.audit({ event: AUDIT_EVENT.ENDED, cause: END_CAUSE.EXPLICIT, sessionId: requested, alreadyEnded: true, groupsRemoved: [] });
    return { ended: [], message: 'You have no active session to end.' };
  }
  const ended = [];
  for (const session of sessions) {
    ended.push({ sessionId: session.sessionId, groupsRemoved: await endAndAudit(ctx, store, session, END_CAUSE.EXPLICIT) });
  }
  return { ended, message: 'Ended: the groups were removed and you were signed out everywhere. Sign in again.' };
}

/** `list`: every active session in the construct's schedule group, earliest expiry first. */
export async function listGroups(ctx: ActionContext): Promise<ListGroupsResponse> {
  refuseFields(ctx, ['target', 'reason', 'sessionId', 'durationMinutes']);
  const env = environment();
  let result: { sessions: GroupsSession[]; truncated: boolean };
  try {
    result = await listSessions(storeOf(env));
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  const now = Date.now();
  const sessions = result.sessions.map((s): SessionSummary => ({
    sessionId: s.sessionId,
    admin: s.admin,
    target: s.target,
    groupsAdded: s.groupsAdded,
    reason: s.reason,
    startedAt: s.startedAt,
    expiresAt: s.expiresAt,
    expired: Date.parse(s.expiresAt) <= now,
  }));
  ctx.audit({ event: AUDIT_EVENT.SESSIONS_LISTED, sessionCount: sessions.length });
  return { sessions, truncated: result.truncated };
}
