import { verifyAssertion, type AssertionClaims } from './assertion';
import { checkWithSigningKeys } from './signing-keys';

/**
 * Verifies a broker assertion with the signing keys in force, refreshing them once (rate-limited)
 * when the cached ones do not match its MAC: after an emergency rotation the broker's new key is
 * accepted at once. Nothing but a bad signature causes a refresh.
 */
export function checkAssertion(
  answer: unknown,
  expected: Pick<AssertionClaims, 'targetUsername' | 'clientId'> & { nonce?: string },
  now: number = Date.now(),
): Promise<ReturnType<typeof verifyAssertion>> {
  return checkWithSigningKeys(
    (keys) => verifyAssertion(answer, expected, keys, Math.floor(now / 1000)),
    (result) => !result.ok && result.failure === 'BadSignature',
    now,
  );
}
