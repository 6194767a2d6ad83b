import type { Context } from 'aws-lambda';
import { rotateSigningKey, type RevokeEvent, type RotationEvent } from './custom-challenge/key-rotation';

/**
 * Secrets Manager rotation function of the customChallenge signing key. Secrets Manager
 * calls it four times per rotation (createSecret, setSecret, testSecret, finishSecret) and
 * retries steps, so every step is idempotent. An operator invokes it with
 * `{ "action": "revokePreviousKey" }` to stop accepting the key rotated out last (README).
 */
export async function handler(event: RotationEvent | RevokeEvent, context: Context): Promise<void> {
  return rotateSigningKey(event as RotationEvent, context);
}
