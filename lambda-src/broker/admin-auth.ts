import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { DENIAL_REASON } from '../../src/private/contract';
import { cached } from '../common/cache';
import type { ImpersonationConfig } from '../common/config';
import { ImpersonationRefused } from '../common/errors';
import { resolveTarget, type Actor } from '../common/target';

type AccessTokenVerifier = ReturnType<typeof CognitoJwtVerifier.create<{ userPoolId: string; tokenUse: 'access'; clientId: null }>>;

/**
 * The pool's access-token verifier (signature against the pool's JWKS, issuer, token_use
 * and expiry), one per container so that the JWKS is fetched once and cached.
 */
export function accessTokenVerifier(userPoolId: string): AccessTokenVerifier {
  return cached('access-token-verifier', () => CognitoJwtVerifier.create({ userPoolId, tokenUse: 'access', clientId: null }), { key: userPoolId });
}

/**
 * Who is calling: the verified access token names them, and Cognito is asked again, now,
 * whether they exist, are enabled and are in the admin group (a token outlives a removal
 * from the group). Tokens of the impersonation client itself never start an impersonation.
 */
export async function authenticateAdmin(
  client: CognitoIdentityProviderClient,
  accessToken: string,
  config: ImpersonationConfig,
  pool: { userPoolId: string; impersonationClientId?: string },
): Promise<Actor> {
  let payload: { sub: string; username: string; client_id: string };
  try {
    payload = await accessTokenVerifier(pool.userPoolId).verify(accessToken) as any;
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.UNAUTHENTICATED);
  }
  if (!payload.username || !payload.sub || (pool.impersonationClientId && payload.client_id === pool.impersonationClientId)) {
    throw new ImpersonationRefused(DENIAL_REASON.UNAUTHENTICATED);
  }
  let admin;
  try {
    admin = await resolveTarget(client, pool.userPoolId, payload.username);
  } catch (err) {
    // An admin who no longer exists is not an admin.
    if (err instanceof ImpersonationRefused && err.denialReason === DENIAL_REASON.TARGET_NOT_FOUND) {
      throw new ImpersonationRefused(DENIAL_REASON.NOT_ADMIN);
    }
    throw err;
  }
  if (!admin.enabled || !admin.groups.includes(config.adminGroupName)) {
    throw new ImpersonationRefused(DENIAL_REASON.NOT_ADMIN);
  }
  return { sub: payload.sub, username: admin.username };
}
