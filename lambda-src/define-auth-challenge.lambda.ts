import type { Context, DefineAuthChallengeTriggerEvent } from 'aws-lambda';
import { auditChallengeFailure } from './custom-challenge/challenge-audit';
import { dedicatedClientId } from './custom-challenge/client-id-parameter';
import { CHALLENGE_FAILURE, SOURCE } from '../src/private/contract';

const CUSTOM_CHALLENGE = 'CUSTOM_CHALLENGE';

/**
 * Define Auth Challenge trigger of the customChallenge strategy: one custom challenge,
 * on the construct's dedicated app client only; one wrong answer ends the attempt.
 * Anything else (another client, SRP steps, retries, unknown users) fails authentication.
 */
export async function handler(event: DefineAuthChallengeTriggerEvent, context: Context): Promise<DefineAuthChallengeTriggerEvent> {
  const fail = (reason?: string) => {
    if (reason) auditChallengeFailure(SOURCE.DEFINE_AUTH_CHALLENGE, event, context, reason);
    event.response.issueTokens = false;
    event.response.failAuthentication = true;
    return event;
  };

  if (event.request.userNotFound) return fail(CHALLENGE_FAILURE.UNKNOWN_USER);
  let clientId: string;
  try {
    clientId = await dedicatedClientId();
  } catch {
    return fail(CHALLENGE_FAILURE.UNAVAILABLE);
  }
  if (event.callerContext?.clientId !== clientId) return fail(CHALLENGE_FAILURE.WRONG_CLIENT);

  const session = event.request.session ?? [];
  if (session.length === 0) {
    event.response.challengeName = CUSTOM_CHALLENGE;
    event.response.issueTokens = false;
    event.response.failAuthentication = false;
    return event;
  }
  const [only] = session;
  if (session.length === 1 && only.challengeName === CUSTOM_CHALLENGE) {
    if (only.challengeResult === true) {
      event.response.issueTokens = true;
      event.response.failAuthentication = false;
      return event;
    }
    // A wrong answer: Verify has audited it already. No second try.
    return fail();
  }
  return fail(CHALLENGE_FAILURE.UNEXPECTED_FLOW);
}
