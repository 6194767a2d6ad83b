import { randomBytes } from 'crypto';
import type { Context, CreateAuthChallengeTriggerEvent } from 'aws-lambda';
import { auditChallengeFailure } from './custom-challenge/challenge-audit';
import { dedicatedClientId } from './custom-challenge/client-id-parameter';
import { CHALLENGE_FAILURE, SOURCE } from '../src/private/contract';

/**
 * Create Auth Challenge trigger of the customChallenge strategy: a fresh 256-bit nonce per
 * auth session. The broker signs it; Verify checks the signature against the copy kept in
 * the private challenge parameters, so a captured answer is useless in any other session.
 */
export async function handler(event: CreateAuthChallengeTriggerEvent, context: Context): Promise<CreateAuthChallengeTriggerEvent> {
  let clientId: string | undefined;
  try {
    clientId = await dedicatedClientId();
  } catch {
    auditChallengeFailure(SOURCE.CREATE_AUTH_CHALLENGE, event, context, CHALLENGE_FAILURE.UNAVAILABLE);
    throw new Error('Impersonation challenge refused');
  }
  if (event.callerContext?.clientId !== clientId || event.request.challengeName !== 'CUSTOM_CHALLENGE') {
    // Define never lets this happen; refusing here too keeps the fence in one more place.
    auditChallengeFailure(SOURCE.CREATE_AUTH_CHALLENGE, event, context,
      event.callerContext?.clientId !== clientId ? CHALLENGE_FAILURE.WRONG_CLIENT : CHALLENGE_FAILURE.UNEXPECTED_FLOW);
    throw new Error('Impersonation challenge refused');
  }
  const nonce = randomBytes(32).toString('base64url');
  event.response.publicChallengeParameters = { nonce };
  event.response.privateChallengeParameters = { nonce };
  event.response.challengeMetadata = 'IMPERSONATION_ASSERTION';
  return event;
}
