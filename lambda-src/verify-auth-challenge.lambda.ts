import type { Context, VerifyAuthChallengeResponseTriggerEvent } from 'aws-lambda';
import { verifyAssertion } from './custom-challenge/assertion';
import { auditChallengeFailure } from './custom-challenge/challenge-audit';
import { dedicatedClientId } from './custom-challenge/client-id-parameter';
import { signingKeys, verificationKeys } from './custom-challenge/signing-keys';
import { CHALLENGE_FAILURE, SOURCE } from '../src/private/contract';

/**
 * Verify Auth Challenge Response trigger of the customChallenge strategy. The answer must be
 * the broker's HMAC-SHA256 assertion over this session's nonce, this user, this client and
 * an expiry; it is checked with the current key, then the previous one (rotation window),
 * in constant time. The nonce, user and client come from Cognito's event, not the answer.
 */
export async function handler(
  event: VerifyAuthChallengeResponseTriggerEvent,
  context: Context,
): Promise<VerifyAuthChallengeResponseTriggerEvent> {
  const refuse = (reason: string, actor?: { sub?: string; username?: string }) => {
    auditChallengeFailure(SOURCE.VERIFY_AUTH_CHALLENGE, event, context, reason, actor);
    event.response.answerCorrect = false;
    return event;
  };
  if (event.request.userNotFound) return refuse(CHALLENGE_FAILURE.UNKNOWN_USER);

  let clientId: string;
  let keys: string[];
  try {
    clientId = await dedicatedClientId();
    keys = verificationKeys(await signingKeys());
  } catch {
    return refuse(CHALLENGE_FAILURE.UNAVAILABLE);
  }
  if (event.callerContext?.clientId !== clientId) return refuse(CHALLENGE_FAILURE.WRONG_CLIENT);

  const nonce = event.request.privateChallengeParameters?.nonce;
  if (!nonce) return refuse(CHALLENGE_FAILURE.UNEXPECTED_FLOW);
  const result = verifyAssertion(
    event.request.challengeAnswer,
    { nonce, targetUsername: event.userName, clientId },
    keys,
    Math.floor(Date.now() / 1000),
  );
  if (!result.ok) return refuse(result.failure);
  event.response.answerCorrect = true;
  return event;
}
