import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { DENIAL_REASON, LIMITS } from '../../src/private/contract';
import { ImpersonationRefused } from '../common/errors';

/**
 * Step-up (maxAdminAuthAge): how many seconds old the admin's sign-in may be for a `start`, from
 * the broker's environment; undefined when not configured. A value that is not a whole number
 * of seconds in range refuses every start (fail closed).
 */
export function maxAdminAuthAgeSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= LIMITS.MIN_ADMIN_AUTH_AGE_MINUTES * 60 && seconds <= LIMITS.MAX_ADMIN_AUTH_AGE_MINUTES * 60)) {
    throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  }
  return seconds;
}

/**
 * Refuses (SignInTooOld) an access token whose sign-in (`auth_time`, which a refresh keeps) is
 * older than `maxAgeSeconds`, or that names no sign-in time. Only called on a token the broker
 * has verified, so its claims are the pool's.
 */
export function assertRecentSignIn(verifiedAccessToken: string, maxAgeSeconds: number, nowMs: number): void {
  const authTime = decomposeUnverifiedJwt(verifiedAccessToken).payload.auth_time;
  const age = nowMs / 1000 - (typeof authTime === 'number' ? authTime : -Infinity);
  if (!(age <= maxAgeSeconds)) throw new ImpersonationRefused(DENIAL_REASON.SIGN_IN_TOO_OLD);
}
