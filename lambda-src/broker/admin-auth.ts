import { GetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { DENIAL_REASON, PATTERN } from '../../src/private/contract';
import { cached } from '../common/cache';
import type { ImpersonationConfig } from '../common/config';
import { ImpersonationRefused, errorNameOf, type DenialReason } from '../common/errors';
import { resolveTarget, type Actor } from '../common/target';

type AccessTokenVerifier = ReturnType<typeof CognitoJwtVerifier.create<{ userPoolId: string; tokenUse: 'access'; clientId: null }>>;

/**
 * The pool's access-token verifier (signature against the pool's JWKS, token_use and expiry),
 * one per container so that the JWKS is fetched once and cached.
 */
export function accessTokenVerifier(userPoolId: string): AccessTokenVerifier {
  return cached('access-token-verifier', () => CognitoJwtVerifier.create({ userPoolId, tokenUse: 'access', clientId: null }), { key: userPoolId });
}

/**
 * The issuer of the pool's tokens in its ORIGINAL issuer configuration, the only one accepted.
 * aws-jwt-verify also accepts the UPDATED form (`issuer-cognito-idp`): a pool issues one of
 * them, and the construct's pools issue this one (docs/security-facts.md).
 */
export function canonicalIssuer(userPoolId: string): string {
  return `https://cognito-idp.${userPoolId.split('_')[0]}.amazonaws.com/${userPoolId}`;
}

/** The verified claims the broker relies on. */
interface AdminClaims {
  readonly sub: string;
  readonly username: string;
  readonly client_id: string;
}

/** A caller proven to be a live, enabled member of one of the groups asked for, with their groups now. */
export interface Member extends Actor {
  readonly sub: string;
  readonly groups: readonly string[];
}

/**
 * Who is calling, proven three ways:
 * 1. offline: the access token's signature, `token_use`, expiry, the canonical issuer and a
 *    `client_id` of the one shape Cognito writes, other than the impersonation client's;
 * 2. live: Cognito accepts the token now (`GetUser`), so a token revoked by a sign-out or
 *    RevokeToken is refused, and names the same user (`sub` and `username`);
 * 3. live: that user exists, is enabled and is in one of `groups` now (a token outlives a
 *    removal from a group), and still has the token's `sub` (a username can be reused);
 *    otherwise `notMember` is the refusal.
 * The live calls run side by side: the check costs one round trip, not two.
 * `onIdentified` learns the token's identity once it verifies, for the audit of a refusal.
 */
export async function authenticateMember(
  client: CognitoIdentityProviderClient,
  accessToken: string,
  membership: { readonly groups: readonly string[]; readonly notMember: DenialReason },
  pool: { userPoolId: string; impersonationClientId?: string },
  onIdentified: (actor: Actor) => void = () => undefined,
): Promise<Member> {
  const claims = await verifyOffline(accessToken, pool);
  const actor: Actor = { sub: claims.sub, username: claims.username };
  onIdentified(actor);
  const [live, member] = await Promise.allSettled([
    liveUser(client, accessToken),
    resolveTarget(client, pool.userPoolId, claims.username),
  ]);
  if (live.status === 'rejected') throw live.reason;
  if (live.value.sub !== claims.sub || live.value.username !== claims.username) {
    throw new ImpersonationRefused(DENIAL_REASON.SUB_MISMATCH);
  }
  if (member.status === 'rejected') {
    const err = member.reason;
    // A user who no longer exists is a member of nothing.
    if (err instanceof ImpersonationRefused && err.denialReason === DENIAL_REASON.TARGET_NOT_FOUND) {
      throw new ImpersonationRefused(membership.notMember);
    }
    throw err;
  }
  if (member.value.sub !== claims.sub) throw new ImpersonationRefused(DENIAL_REASON.SUB_MISMATCH);
  if (!member.value.enabled || !member.value.groups.some((g) => membership.groups.includes(g))) {
    throw new ImpersonationRefused(membership.notMember);
  }
  return { sub: claims.sub, username: member.value.username, groups: member.value.groups };
}

/** authenticateMember for the admin group (NotAdmin otherwise): who may start, end and list. */
export async function authenticateAdmin(
  client: CognitoIdentityProviderClient,
  accessToken: string,
  config: ImpersonationConfig,
  pool: { userPoolId: string; impersonationClientId?: string },
  onIdentified: (actor: Actor) => void = () => undefined,
): Promise<Actor> {
  const { sub, username } = await authenticateMember(client, accessToken,
    { groups: [config.adminGroupName], notMember: DENIAL_REASON.NOT_ADMIN }, pool, onIdentified);
  return { sub, username };
}

async function verifyOffline(accessToken: string, pool: { userPoolId: string; impersonationClientId?: string }): Promise<AdminClaims> {
  let payload: Record<string, unknown>;
  try {
    // The issuer first: the JWKS of another issuer is never fetched.
    if (decomposeUnverifiedJwt(accessToken).payload.iss !== canonicalIssuer(pool.userPoolId)) throw new Error('issuer');
    payload = await accessTokenVerifier(pool.userPoolId).verify(accessToken) as Record<string, unknown>;
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.UNAUTHENTICATED);
  }
  const { sub, username, client_id: clientId } = payload;
  const wellFormed = typeof sub === 'string' && sub.length > 0 && typeof username === 'string' && username.length > 0
    && typeof clientId === 'string' && PATTERN.CLIENT_ID.test(clientId);
  // Tokens of the impersonation client itself never start an impersonation.
  if (!wellFormed || clientId === pool.impersonationClientId) {
    throw new ImpersonationRefused(DENIAL_REASON.UNAUTHENTICATED);
  }
  return { sub, username, client_id: clientId };
}

/**
 * The user Cognito says the token belongs to, now. Cognito answers a revoked token with
 * `NotAuthorizedException: Access Token has been revoked`, a token whose user was deleted with
 * `UserNotFoundException`; any other refusal (expired, no `aws.cognito.signin.user.admin`
 * scope) leaves the caller unauthenticated, and an outage refuses too (fail closed).
 */
async function liveUser(client: CognitoIdentityProviderClient, accessToken: string): Promise<{ sub?: string; username?: string }> {
  try {
    const out = await client.send(new GetUserCommand({ AccessToken: accessToken }));
    return { username: out.Username, sub: out.UserAttributes?.find((a) => a.Name === 'sub')?.Value };
  } catch (err) {
    const name = errorNameOf(err);
    const message = (err as { message?: unknown }).message;
    if (name === 'NotAuthorizedException') {
      throw new ImpersonationRefused(/revoked/i.test(String(message ?? '')) ? DENIAL_REASON.TOKEN_REVOKED : DENIAL_REASON.UNAUTHENTICATED);
    }
    if (name === 'UserNotFoundException') throw new ImpersonationRefused(DENIAL_REASON.SUB_MISMATCH);
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
}
