import {
  AdminListUserAuthEventsCommand,
  type AuthEventType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { DENIAL_REASON } from '../../src/private/contract';
import { ImpersonationRefused, errorNameOf } from '../common/errors';

/** How many of the admin's latest authentication events are read: one page, one call. */
export const MFA_AUTH_EVENTS = 10;

/**
 * The sign-in a token comes from is looked for in [auth_time - before, auth_time + after].
 * Cognito logs a sign-in event when the authentication begins, and issues the tokens (`auth_time`)
 * when the last challenge is answered: each challenge must be answered within the app client's
 * auth session validity, at most 15 minutes. The minute after covers the clocks of the two
 * records (and `auth_time`, which counts whole seconds).
 */
export const MFA_SIGN_IN_WINDOW_SECONDS = { before: 15 * 60, after: 60 } as const;

/**
 * Step-up MFA (requireAdminMfa) from the broker's environment: true when `start` needs an MFA
 * sign-in, false when the variable is unset. Anything but `true` refuses every request (fail closed).
 */
export function requireAdminMfa(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value !== 'true') throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  return true;
}

/**
 * Refuses (MfaRequired) an admin whose access token does not come from a sign-in that passed
 * MFA. Access tokens do not say how the user signed in, so the pool is asked: its threat
 * protection logs every sign-in with the challenges answered (`AdminListUserAuthEvents`). The
 * sign-in is the latest successful `SignIn` event in the window around the token's `auth_time`
 * (a later sign-in without MFA is not hidden by an earlier one with it); it must hold a
 * successful `Mfa` challenge. A token without `auth_time` is refused before any call.
 *
 * A pool without threat protection (`UserPoolAddOnNotEnabledException`) refuses every start
 * (Misconfigured); any other failure to ask refuses this one (LookupFailed). Only called on a
 * token the broker has verified, for the user it authenticated.
 */
export async function assertMfaSignIn(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
  verifiedAccessToken: string,
): Promise<void> {
  const authTime = decomposeUnverifiedJwt(verifiedAccessToken).payload.auth_time;
  if (typeof authTime !== 'number' || !Number.isFinite(authTime)) throw new ImpersonationRefused(DENIAL_REASON.MFA_REQUIRED);
  let events: AuthEventType[];
  try {
    const out = await client.send(new AdminListUserAuthEventsCommand({ UserPoolId: userPoolId, Username: username, MaxResults: MFA_AUTH_EVENTS }));
    events = out.AuthEvents ?? [];
  } catch (err) {
    if (errorNameOf(err) === 'UserPoolAddOnNotEnabledException') throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  const signIn = signInOf(events, authTime);
  const withMfa = signIn?.ChallengeResponses?.some((c) => c.ChallengeName === 'Mfa' && c.ChallengeResponse === 'Success');
  if (!withMfa) throw new ImpersonationRefused(DENIAL_REASON.MFA_REQUIRED);
}

/** The latest successful sign-in event in the window around `authTime` (seconds), if any. */
function signInOf(events: readonly AuthEventType[], authTime: number): AuthEventType | undefined {
  const from = (authTime - MFA_SIGN_IN_WINDOW_SECONDS.before) * 1000;
  const to = (authTime + MFA_SIGN_IN_WINDOW_SECONDS.after) * 1000;
  let latest: { event: AuthEventType; at: number } | undefined;
  for (const event of events) {
    const at = event.CreationDate instanceof Date ? event.CreationDate.getTime() : NaN;
    if (event.EventType !== 'SignIn' || event.EventResponse !== 'Pass' || !(at >= from && at <= to)) continue;
    if (!latest || at > latest.at) latest = { event, at };
  }
  return latest?.event;
}
