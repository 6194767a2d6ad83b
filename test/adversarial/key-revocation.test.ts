/**
 * Issue 10, item 6, through the BUNDLED Verify trigger and rotation function: a leaked key is
 * revoked at once, a container accepts a revoked key for at most its 60-second key cache, and
 * a new key is picked up at once (rate-limited).
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { freshContainer } from './kit/bundles';
import { customChallengeTriggers } from './kit/custom-challenge';
import { AUDIT_EVENT } from '../../src/private/contract';
import { KEY_1, newNonce, rotate, signedAnswer, verifyEvent } from '../lambda-src/fixtures/challenge';
import { lambdaContext } from '../lambda-src/fixtures/common';

const t = customChallengeTriggers();

describe('item 6: a leaked key can be revoked at once', () => {
  test('revokePreviousKey drops AWSPREVIOUS after an emergency rotation, and is audited', async () => {
    const rotation = freshContainer('rotate-key');
    await rotate(t.secret(), rotation, lambdaContext());
    const leaked = KEY_1;
    expect(t.secret().keyAt('AWSPREVIOUS')).toBe(leaked);

    await rotation({ action: 'revokePreviousKey' }, lambdaContext());

    expect(t.secret().keyAt('AWSPREVIOUS')).toBeUndefined();
    expect(t.secret().keyAt('AWSCURRENT')).not.toBe(leaked);
    expect(t.audit().events().at(-1)).toEqual(expect.objectContaining({ event: AUDIT_EVENT.KEY_PREVIOUS_REVOKED, source: 'rotate-key' }));
    expect(t.audit().text()).not.toContain(leaked);
  });

  test('after rotation and revocation, a warm Verify container refuses the leaked key within the cache period (60 s)', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z'), doNotFake: ['setImmediate', 'nextTick'] });
    const verify = freshContainer('verify-auth-challenge');
    const nonce = newNonce();
    // The container caches the keys while KEY_1 is current.
    expect((await verify(verifyEvent(signedAnswer(KEY_1, nonce), nonce), lambdaContext())).response.answerCorrect).toBe(true);

    const rotation = freshContainer('rotate-key');
    await rotate(t.secret(), rotation, lambdaContext());
    await rotation({ action: 'revokePreviousKey' }, lambdaContext());

    jest.setSystemTime(new Date('2026-12-01T10:01:01Z'));
    const later = newNonce();
    expect((await verify(verifyEvent(signedAnswer(KEY_1, later), later), lambdaContext())).response.answerCorrect).toBe(false);
  });

  test('a key the container has not seen yet is picked up at once: the cache refreshes when a check fails', async () => {
    const verify = freshContainer('verify-auth-challenge');
    const nonce = newNonce();
    expect((await verify(verifyEvent(signedAnswer(KEY_1, nonce), nonce), lambdaContext())).response.answerCorrect).toBe(true);
    await rotate(t.secret(), freshContainer('rotate-key'), lambdaContext());
    const current = t.secret().keyAt('AWSCURRENT')!;

    const next = newNonce();
    expect((await verify(verifyEvent(signedAnswer(current, next), next), lambdaContext())).response.answerCorrect).toBe(true);
  });

  test('the refresh on failure is rate-limited: forged answers cannot make the container hammer Secrets Manager', async () => {
    const verify = freshContainer('verify-auth-challenge');
    const nonce = newNonce();
    await verify(verifyEvent(signedAnswer(KEY_1, nonce), nonce), lambdaContext());
    const before = t.secrets.commandCalls(GetSecretValueCommand).length;
    for (let i = 0; i < 20; i++) {
      const n = newNonce();
      expect((await verify(verifyEvent(signedAnswer('x'.repeat(44), n), n), lambdaContext())).response.answerCorrect).toBe(false);
    }
    // At most one refresh (two reads: AWSCURRENT and AWSPREVIOUS) in the rate-limit interval.
    expect(t.secrets.commandCalls(GetSecretValueCommand).length - before).toBeLessThanOrEqual(2);
  });
});

