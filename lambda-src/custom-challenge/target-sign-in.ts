import { createHmac, randomUUID } from 'crypto';
import {
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  DescribeUserPoolClientCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { signAssertion } from './assertion';
import { signingKeys } from './signing-keys';
import { ASSERTION_METADATA_KEY, DENIAL_REASON, LIMITS } from '../../src/private/contract';
import { cachedAsync } from '../common/cache';
import { ImpersonationRefused } from '../common/errors';
import type { Actor, TargetUser } from '../common/target';

/** What the broker hands back for a customChallenge impersonation. Never a refresh token. */
export interface ChallengeTokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
}

/**
 * The dedicated client's secret, read with DescribeUserPoolClient once per container: it is
 * never in the function's configuration, the template or a log.
 */
async function dedicatedClientSecret(client: CognitoIdentityProviderClient, userPoolId: string, clientId: string): Promise<string> {
  return cachedAsync('dedicated-client-secret', async () => {
    const out = await client.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
    const secret = out.UserPoolClient?.ClientSecret;
    if (!secret) throw new Error('the impersonation client has no secret');
    return secret;
  }, { key: clientId });
}

function secretHash(secret: string, username: string, clientId: string): string {
  return createHmac('sha256', secret).update(username + clientId).digest('base64');
}

/**
 * Signs the target in through the dedicated client's custom-auth flow: Cognito's Create
 * trigger issues a nonce, the broker answers with an assertion signed with the current key,
 * Verify checks it, and Pre Token Generation marks the tokens with `act`. The refresh token
 * Cognito returns is dropped here: impersonation ends when these tokens expire.
 */
export async function issueTargetTokens(
  client: CognitoIdentityProviderClient,
  pool: { userPoolId: string; clientId: string },
  actor: Actor,
  target: TargetUser,
  sessionId: string = randomUUID(),
  now: number = Date.now(),
): Promise<ChallengeTokens> {
  try {
    const secret = await dedicatedClientSecret(client, pool.userPoolId, pool.clientId);
    const hash = secretHash(secret, target.username, pool.clientId);
    const started = await client.send(new AdminInitiateAuthCommand({
      UserPoolId: pool.userPoolId,
      ClientId: pool.clientId,
      AuthFlow: 'CUSTOM_AUTH',
      AuthParameters: { USERNAME: target.username, SECRET_HASH: hash },
    }));
    const nonce = started.ChallengeParameters?.nonce;
    if (started.ChallengeName !== 'CUSTOM_CHALLENGE' || !started.Session || !nonce) {
      throw new Error('unexpected challenge');
    }
    const keys = await signingKeys(now);
    const answer = JSON.stringify(signAssertion(keys.current, {
      nonce,
      targetUsername: target.username,
      actorSub: actor.sub!,
      actorUsername: actor.username,
      sessionId,
      clientId: pool.clientId,
      expiresAt: Math.floor(now / 1000) + LIMITS.ASSERTION_LIFETIME_SECONDS,
    }));
    const answered = await client.send(new AdminRespondToAuthChallengeCommand({
      UserPoolId: pool.userPoolId,
      ClientId: pool.clientId,
      ChallengeName: 'CUSTOM_CHALLENGE',
      Session: started.Session,
      ChallengeResponses: { USERNAME: target.username, ANSWER: answer, SECRET_HASH: hash },
      // Pre Token Generation receives ClientMetadata only here (RespondToAuthChallenge).
      ClientMetadata: { [ASSERTION_METADATA_KEY]: answer },
    }));
    const result = answered.AuthenticationResult;
    if (!result?.IdToken || !result.AccessToken || !result.ExpiresIn) {
      throw new Error('no tokens issued');
    }
    return { idToken: result.IdToken, accessToken: result.AccessToken, tokenType: result.TokenType ?? 'Bearer', expiresIn: result.ExpiresIn };
  } catch {
    // Whatever failed (a refused challenge, a throttled call), the details stay out of the answer.
    throw new ImpersonationRefused(DENIAL_REASON.SIGN_IN_FAILED);
  }
}
