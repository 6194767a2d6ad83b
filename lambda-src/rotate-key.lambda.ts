import type { Context } from 'aws-lambda';
import { rotateSigningKey, type RotationEvent } from './custom-challenge/key-rotation';

/**
 * Secrets Manager rotation function of the customChallenge signing key. Secrets Manager
 * calls it four times per rotation (createSecret, setSecret, testSecret, finishSecret) and
 * retries steps, so every step is idempotent.
 */
export async function handler(event: RotationEvent, context: Context): Promise<void> {
  return rotateSigningKey(event, context);
}
