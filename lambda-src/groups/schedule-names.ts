import { PATTERN } from '../../src/private/contract';

/**
 * How a groups session's schedule is named: after the admin's `sub` and the session id, so
 * that an admin's sessions are found by prefix and a caller can only ever name their own.
 */

/** `<admin sub>.<session id as 22 base64url characters>`: 59 of the 64 characters a name may have. */
const SCHEDULE_NAME = new RegExp(`^(${PATTERN.UUID.source.slice(1, -1)})\\.[A-Za-z0-9_-]{22}$`);

/** True for a lowercase UUID (Cognito's `sub`, a session id). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && PATTERN.UUID.test(value);
}

/**
 * The name of a session's schedule: the admin's `sub` (so that an admin's sessions are
 * found by prefix, and a caller can only ever name their own) and the session id.
 */
export function scheduleNameOf(adminSub: string, sessionId: string): string {
  if (!isUuid(adminSub) || !isUuid(sessionId)) throw new Error('not a UUID');
  return `${adminSub}.${Buffer.from(sessionId.replace(/-/g, ''), 'hex').toString('base64url')}`;
}

/** The prefix of every schedule name of an admin's sessions. */
export function scheduleNamePrefixOf(adminSub: string): string {
  if (!isUuid(adminSub)) throw new Error('not a UUID');
  return `${adminSub}.`;
}

/** True when `name` has the shape of a session schedule's name. */
export function isScheduleName(value: unknown): value is string {
  return typeof value === 'string' && SCHEDULE_NAME.test(value);
}
