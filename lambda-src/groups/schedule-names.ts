import { PATTERN } from '../../src/private/contract';

/**
 * How a groups session's expiry schedule is named: after the admin's `sub` and the session
 * id (`<sub>.<session id as 22 base64url characters>`, 59 of the 64 characters a name may
 * have), so that an operator sees whose session a schedule ends.
 */

/** True for a lowercase UUID (Cognito's `sub`, a session id). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && PATTERN.UUID.test(value);
}

/** The name of a session's schedule. */
export function scheduleNameOf(adminSub: string, sessionId: string): string {
  if (!isUuid(adminSub) || !isUuid(sessionId)) throw new Error('not a UUID');
  return `${adminSub}.${Buffer.from(sessionId.replace(/-/g, ''), 'hex').toString('base64url')}`;
}
