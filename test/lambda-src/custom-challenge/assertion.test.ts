import crypto from 'crypto';
import * as fc from 'fast-check';
import { parseSignedAssertion, signAssertion, verifyAssertion, type AssertionClaims, type SignedAssertion } from '../../../lambda-src/custom-challenge/assertion';
import { LIMITS } from '../../../src/private/contract';
import { DEDICATED_CLIENT_ID, KEY_1, KEY_2, OTHER_CLIENT_ID, OTHER_TARGET, UNKNOWN_KEY, assertionClaims, newNonce } from '../fixtures/challenge';
import { ADMIN, TARGET } from '../fixtures/common';

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
const NONCE = newNonce();

function claims(overrides: Partial<AssertionClaims> = {}): AssertionClaims {
  return assertionClaims(NONCE, overrides, NOW);
}

/** What the Verify trigger knows for itself: its nonce, the user signing in, the client. */
const EXPECTED: { nonce: string; targetUsername: string; clientId: string } = {
  nonce: NONCE,
  targetUsername: TARGET.username,
  clientId: DEDICATED_CLIENT_ID,
};

function answer(overrides: Partial<AssertionClaims> = {}, key: string = KEY_1): string {
  return JSON.stringify(signAssertion(key, claims(overrides)));
}

/** The answer with one field of its JSON replaced (or removed, for `undefined`). */
function tampered(field: string, value: unknown, base: string = answer()): string {
  const parsed = JSON.parse(base);
  if (value === undefined) {
    delete parsed[field];
  } else {
    parsed[field] = value;
  }
  return JSON.stringify(parsed);
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('signAssertion', () => {
  it('returns the claims, version 1 and a 256-bit base64url MAC', () => {
    const signed = signAssertion(KEY_1, claims());

    expect(signed).toEqual({ v: 1, ...claims(), mac: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(Buffer.from(signed.mac, 'base64url')).toHaveLength(32);
  });

  it('is deterministic for a key, and differs between keys', () => {
    expect(signAssertion(KEY_1, claims()).mac).toBe(signAssertion(KEY_1, claims()).mac);
    expect(signAssertion(KEY_2, claims()).mac).not.toBe(signAssertion(KEY_1, claims()).mac);
  });

  it('encodes fields unambiguously: moving a boundary between two fields changes the MAC', () => {
    const a = signAssertion(KEY_1, claims({ actorSub: 'ab', actorUsername: 'c' }));
    const b = signAssertion(KEY_1, claims({ actorSub: 'a', actorUsername: 'bc' }));
    expect(a.mac).not.toBe(b.mac);
    // And an answer built that way does not verify.
    const shifted = tampered('actorUsername', 'bc', tampered('actorSub', 'a', JSON.stringify(a)));
    expect(verifyAssertion(shifted, EXPECTED, [KEY_1], NOW)).toEqual({ ok: false, failure: 'BadSignature' });
  });
});

describe('verifyAssertion', () => {
  it('accepts the answer the broker signed for this nonce, user and client', () => {
    const result = verifyAssertion(answer(), EXPECTED, [KEY_1], NOW);

    expect(result).toEqual({ ok: true, assertion: { v: 1, ...claims(), mac: signAssertion(KEY_1, claims()).mac } });
  });

  it('accepts Unicode usernames, as Cognito does ([\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+)', () => {
    for (const username of ['zoë.müller', '平田.太郎', 'ølaf+test@example.com', 'użytkownik_1', '\u{1F600}emoji']) {
      const signed = JSON.stringify(signAssertion(KEY_1, claims({ targetUsername: username, actorUsername: username })));
      expect(verifyAssertion(signed, { ...EXPECTED, targetUsername: username }, [KEY_1], NOW).ok).toBe(true);
      expect(verifyAssertion(signed, EXPECTED, [KEY_1], NOW).ok).toBe(false);
    }
  });

  it('accepts the assertion as an object too (not only as a JSON string)', () => {
    expect(verifyAssertion(signAssertion(KEY_1, claims()), EXPECTED, [KEY_1], NOW).ok).toBe(true);
  });

  it('takes the nonce from the answer when the caller has none (Pre Token Generation), still bound by the MAC', () => {
    const { nonce: _, ...withoutNonce } = EXPECTED;
    expect(verifyAssertion(answer(), withoutNonce, [KEY_1], NOW).ok).toBe(true);
    expect(verifyAssertion(tampered('nonce', newNonce()), withoutNonce, [KEY_1], NOW)).toEqual({ ok: false, failure: 'BadSignature' });
  });

  it.each<[string, Partial<typeof EXPECTED>]>([
    ['another nonce (another auth session)', { nonce: newNonce() }],
    ['another user signing in', { targetUsername: OTHER_TARGET.username }],
    ['another app client', { clientId: OTHER_CLIENT_ID }],
  ])('refuses an answer checked against %s', (_, expected) => {
    expect(verifyAssertion(answer(), { ...EXPECTED, ...expected }, [KEY_1], NOW)).toEqual({ ok: false, failure: 'BadSignature' });
  });

  it.each<[keyof AssertionClaims, unknown]>([
    ['nonce', newNonce()],
    ['targetUsername', OTHER_TARGET.username],
    ['actorSub', OTHER_TARGET.sub],
    ['actorUsername', 'mallory.support'],
    ['sessionId', '00000000-0000-4000-8000-000000000000'],
    ['clientId', OTHER_CLIENT_ID],
    ['expiresAt', NOW + 30],
  ])('refuses an answer whose %s was changed after signing', (field, value) => {
    expect(verifyAssertion(tampered(field, value), EXPECTED, [KEY_1], NOW)).toEqual({ ok: false, failure: 'BadSignature' });
  });

  describe('the MAC', () => {
    const mac = signAssertion(KEY_1, claims()).mac;
    const bytes = Buffer.from(mac, 'base64url');
    const flipped = Buffer.from(bytes);
    flipped[0] = flipped[0] === 0 ? 1 : flipped[0] - 1;
    const lastCharChanged = mac.slice(0, -1) + (mac.endsWith('A') ? 'B' : 'A');

    it.each<[string, string]>([
      ['one byte changed', flipped.toString('base64url')],
      ['truncated to 16 bytes', bytes.subarray(0, 16).toString('base64url')],
      ['truncated by one character', mac.slice(0, -1)],
      ['extended by one byte', Buffer.concat([bytes, Buffer.from([0])]).toString('base64url')],
      ['replaced by the MAC of other claims', signAssertion(KEY_1, claims({ sessionId: 'other-session' })).mac],
      ['a non-canonical encoding of the same bytes (trailing bits changed)', lastCharChanged],
      ['the same bytes with padding appended', `${mac}=`],
      ['the same bytes with a character the decoder skips', `${mac}!`],
      ['standard base64 instead of base64url', bytes.toString('base64')],
    ])('refuses it %s', (_, value) => {
      // Every case differs from the MAC as signed; the ones that decode to the same bytes
      // must be refused too, so that an answer has exactly one accepted form.
      expect(value).not.toBe(mac);
      expect(verifyAssertion(tampered('mac', value), EXPECTED, [KEY_1], NOW).ok).toBe(false);
    });
  });

  describe('expiry', () => {
    it('accepts an assertion until its expiry second, inclusive', () => {
      expect(verifyAssertion(answer({ expiresAt: NOW }), EXPECTED, [KEY_1], NOW).ok).toBe(true);
      expect(verifyAssertion(answer({ expiresAt: NOW + LIMITS.ASSERTION_LIFETIME_SECONDS }), EXPECTED, [KEY_1], NOW).ok).toBe(true);
    });

    it('refuses an expired assertion', () => {
      expect(verifyAssertion(answer({ expiresAt: NOW - 1 }), EXPECTED, [KEY_1], NOW)).toEqual({ ok: false, failure: 'Expired' });
      expect(verifyAssertion(answer(), EXPECTED, [KEY_1], NOW + LIMITS.ASSERTION_LIFETIME_SECONDS + 1)).toEqual({ ok: false, failure: 'Expired' });
    });

    it('refuses an assertion that claims to be valid for far longer than one sign-in', () => {
      expect(verifyAssertion(answer({ expiresAt: NOW + 3600 }), EXPECTED, [KEY_1], NOW)).toEqual({ ok: false, failure: 'Expired' });
      expect(verifyAssertion(answer({ expiresAt: NOW + LIMITS.ASSERTION_LIFETIME_SECONDS + 31 }), EXPECTED, [KEY_1], NOW))
        .toEqual({ ok: false, failure: 'Expired' });
    });

    it('reports a forged expired assertion as a bad signature, not as expired', () => {
      expect(verifyAssertion(answer({ expiresAt: NOW - 600 }, UNKNOWN_KEY), EXPECTED, [KEY_1], NOW)).toEqual({ ok: false, failure: 'BadSignature' });
    });
  });

  describe('keys', () => {
    it('accepts an assertion signed with the previous key while it is still passed (rotation window)', () => {
      expect(verifyAssertion(answer({}, KEY_1), EXPECTED, [KEY_2, KEY_1], NOW).ok).toBe(true);
      expect(verifyAssertion(answer({}, KEY_2), EXPECTED, [KEY_2, KEY_1], NOW).ok).toBe(true);
    });

    it('refuses an assertion signed with a key that is no longer passed', () => {
      expect(verifyAssertion(answer({}, KEY_1), EXPECTED, [KEY_2], NOW)).toEqual({ ok: false, failure: 'BadSignature' });
    });

    it('refuses an assertion signed with an unknown key', () => {
      expect(verifyAssertion(answer({}, UNKNOWN_KEY), EXPECTED, [KEY_2, KEY_1], NOW)).toEqual({ ok: false, failure: 'BadSignature' });
    });

    it('refuses everything when there is no key', () => {
      expect(verifyAssertion(answer(), EXPECTED, [], NOW)).toEqual({ ok: false, failure: 'BadSignature' });
    });
  });

  it('compares MACs with crypto.timingSafeEqual, on the presented and the recomputed 32 bytes, once per key tried', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    const signedMac = Buffer.from(signAssertion(KEY_1, claims()).mac, 'base64url');

    expect(verifyAssertion(answer({}, KEY_1), EXPECTED, [KEY_2, KEY_1], NOW).ok).toBe(true);

    expect(spy).toHaveBeenCalledTimes(2);
    for (const [presented, computed] of spy.mock.calls) {
      expect(Buffer.from(presented as Uint8Array)).toEqual(signedMac);
      expect((computed as Uint8Array).length).toBe(32);
    }
    expect(Buffer.from(spy.mock.calls[1][1] as Uint8Array)).toEqual(signedMac);
  });

  it('does not accept the answer if timingSafeEqual says the MACs differ (it decides, nothing else)', () => {
    jest.spyOn(crypto, 'timingSafeEqual').mockReturnValue(false);
    expect(verifyAssertion(answer(), EXPECTED, [KEY_1], NOW)).toEqual({ ok: false, failure: 'BadSignature' });
  });
});

describe('malformed answers', () => {
  const valid = JSON.parse(answer());

  it.each<[string, unknown]>([
    ['not JSON', 'correct horse battery staple'],
    ['truncated JSON', answer().slice(0, -2)],
    ['JSON null', 'null'],
    ['a JSON array', JSON.stringify([valid])],
    ['a JSON string', JSON.stringify(answer())],
    ['a JSON number', '42'],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an empty string', ''],
    ['v missing', tampered('v', undefined)],
    ['v 2', tampered('v', 2)],
    ['v "1"', tampered('v', '1')],
    ['an answer longer than 4096 characters', JSON.stringify({ ...valid, padding: 'x'.repeat(4096) })],
    ['expiresAt as a string', tampered('expiresAt', String(valid.expiresAt))],
    ['expiresAt as a fraction', tampered('expiresAt', valid.expiresAt + 0.5)],
    ['expiresAt beyond the safe integers', tampered('expiresAt', 2 ** 60)],
    ['mac as a number', tampered('mac', 12345)],
    ['nonce as an object', tampered('nonce', { nonce: NONCE })],
    ['actorSub as an array', tampered('actorSub', [ADMIN.sub])],
    ['an empty targetUsername', tampered('targetUsername', '')],
    ['a field with a space', tampered('actorUsername', 'alice support')],
    ['a field with a control character', tampered('sessionId', 'abc\u0000def')],
    ['a field with a no-break space', tampered('actorUsername', 'alice\u00a0support')],
    ['a field with a zero-width space', tampered('actorUsername', 'alice\u200bsupport')],
    ['a field with a right-to-left override', tampered('targetUsername', 'bob\u202ereversed')],
    ['a field with a line separator', tampered('sessionId', 'abc\u2028def')],
    ['a field longer than 256 characters', tampered('sessionId', 'x'.repeat(257))],
    ...['nonce', 'targetUsername', 'actorSub', 'actorUsername', 'sessionId', 'clientId', 'expiresAt', 'mac']
      .map((field): [string, unknown] => [`${field} missing`, tampered(field, undefined)]),
  ])('refuses %s as MalformedAnswer', (_, value) => {
    expect(parseSignedAssertion(value)).toBeUndefined();
    expect(verifyAssertion(value, EXPECTED, [KEY_1], NOW)).toEqual({ ok: false, failure: 'MalformedAnswer' });
  });

  it('parses a valid answer to exactly the signed fields (extra fields are dropped)', () => {
    const parsed = parseSignedAssertion(JSON.stringify({ ...valid, admin: true }));
    expect(parsed).toEqual(valid);
    expect(parsed).not.toHaveProperty('admin');
  });
});

describe('property: an assertion is bound to every field', () => {
  const field = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
  const claimsArb: fc.Arbitrary<AssertionClaims> = fc.record({
    nonce: field,
    targetUsername: field,
    actorSub: field,
    actorUsername: field,
    sessionId: field,
    clientId: field,
    expiresAt: fc.integer({ min: NOW, max: NOW + LIMITS.ASSERTION_LIFETIME_SECONDS }),
  });
  const key = fc.constantFrom(KEY_1, KEY_2);
  const expectedOf = (c: AssertionClaims) => ({ nonce: c.nonce, targetUsername: c.targetUsername, clientId: c.clientId });

  it('a valid assertion verifies', () => {
    fc.assert(fc.property(claimsArb, key, (c, k) => {
      expect(verifyAssertion(JSON.stringify(signAssertion(k, c)), expectedOf(c), [KEY_1, KEY_2], NOW).ok).toBe(true);
    }));
  });

  it('any single-field change of a valid assertion is refused', () => {
    const change = fc.oneof(
      fc.record({ name: fc.constantFrom('nonce', 'targetUsername', 'actorSub', 'actorUsername', 'sessionId', 'clientId', 'mac'), value: field as fc.Arbitrary<unknown> }),
      fc.record({ name: fc.constant('expiresAt'), value: fc.oneof(fc.integer({ min: NOW - 1000, max: NOW + 1000 }), fc.string()) as fc.Arbitrary<unknown> }),
      fc.record({ name: fc.constant('v'), value: fc.oneof(fc.integer(), fc.string(), fc.constant(null)) as fc.Arbitrary<unknown> }),
    );
    fc.assert(fc.property(claimsArb, key, change, (c, k, { name, value }) => {
      const signed: SignedAssertion = signAssertion(k, c);
      fc.pre((signed as unknown as Record<string, unknown>)[name] !== value);
      const changed = JSON.stringify({ ...signed, [name]: value });
      expect(verifyAssertion(changed, expectedOf(c), [KEY_1, KEY_2], NOW).ok).toBe(false);
    }), { numRuns: 500 });
  });
});
