import { isScheduleName, isUuid, scheduleNameOf } from './schedule-names';
import { LIMITS, PATTERN } from '../../src/private/contract';

/**
 * The groups strategy's sessions. A session is one EventBridge Scheduler one-time schedule
 * in the construct's schedule group: its `Input` is the session (this JSON), its time is the
 * expiry, its target the EndSession function. The schedule is created before any group is
 * added and deleted only after every added group was removed again, so a session that
 * added anything always has a durable record and a pending end.
 */

/** Marks a schedule Input as a session of this construct. */
export const SESSION_KIND = 'cdk-cognito-impersonation/groups-session';

/** A session, exactly as stored in its schedule's Input. */
export interface GroupsSession {
  readonly kind: typeof SESSION_KIND;
  readonly version: 1;
  readonly sessionId: string;
  readonly scheduleName: string;
  readonly userPoolId: string;
  /** The admin whose account holds the groups. */
  readonly admin: { readonly sub: string; readonly username: string };
  /** The user whose groups were borrowed. */
  readonly target: { readonly sub?: string; readonly username: string };
  /** The target's groups the admin lacked, which this session added: the only ones it ever removes. */
  readonly groupsAdded: readonly string[];
  readonly reason?: string;
  readonly startedAt: string;
  readonly expiresAt: string;
}

const isString = (v: unknown, max = 2048): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

/**
 * A session from a schedule's Input, checked field by field: anything else in the group is
 * not a session of this construct and is never acted on. Throws on anything malformed.
 */
export function parseSession(value: unknown): GroupsSession {
  const s = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, any>;
  const ok = typeof s === 'object' && s !== null
    && s.kind === SESSION_KIND && s.version === 1
    && isUuid(s.sessionId) && isScheduleName(s.scheduleName)
    && isString(s.userPoolId, 64)
    && typeof s.admin === 'object' && s.admin !== null && isUuid(s.admin.sub) && isString(s.admin.username, 128)
    && s.scheduleName === scheduleNameOf(s.admin.sub, s.sessionId)
    && typeof s.target === 'object' && s.target !== null && isString(s.target.username, 128)
    && (s.target.sub === undefined || isString(s.target.sub, 64))
    && Array.isArray(s.groupsAdded) && s.groupsAdded.length <= LIMITS.MAX_GROUPS_PER_USER
    && s.groupsAdded.every((g: unknown) => typeof g === 'string' && PATTERN.GROUP_NAME.test(g))
    && (s.reason === undefined || isString(s.reason, LIMITS.MAX_REASON_LENGTH))
    && isTime(s.startedAt) && isTime(s.expiresAt);
  if (!ok) throw new Error('not a session of this construct');
  return s as GroupsSession;
}
