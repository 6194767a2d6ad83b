import * as fc from 'fast-check';
import { ImpersonationRefused } from '../../../lambda-src/common/errors';
import { asksForImpersonation, boundedForAudit, parseImpersonationRequest } from '../../../lambda-src/common/impersonation-request';
import { CLIENT_METADATA, DENIAL_REASON, LIMITS } from '../../../src/private/contract';
import { testConfig } from '../fixtures/common';

const TARGET_KEY = CLIENT_METADATA.TARGET;
const REASON_KEY = CLIENT_METADATA.REASON;

/** The denial reason parseImpersonationRequest refuses with, or undefined when it accepts. */
function refusalOf(metadata: Record<string, unknown>, config = testConfig()): string | undefined {
  try {
    parseImpersonationRequest(metadata, config);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ImpersonationRefused);
    return (err as ImpersonationRefused).denialReason;
  }
}

// C0, DEL and C1 (the Unicode "Cc" category), zero-width and bidirectional formatting characters, BOM.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const controlCharacter = fc.oneof(
  fc.integer({ min: 0x00, max: 0x1f }),
  fc.integer({ min: 0x7f, max: 0x9f }),
  fc.integer({ min: 0x200b, max: 0x200f }),
  fc.integer({ min: 0x202a, max: 0x202e }),
  fc.integer({ min: 0x2066, max: 0x2069 }),
  fc.constant(0xfeff),
).map((code) => String.fromCharCode(code));

describe('asksForImpersonation', () => {
  it.each<[string, Record<string, string> | undefined | null, boolean]>([
    ['undefined', undefined, false],
    ['null', null, false],
    ['empty metadata', {}, false],
    ['unrelated keys', { locale: 'de-DE', impersonation: 'x', Impersonate: 'bob' }, false],
    ['a target', { [TARGET_KEY]: 'bob' }, true],
    ['an empty target', { [TARGET_KEY]: '' }, true],
    ['a reason only', { [REASON_KEY]: 'why' }, true],
    ['both, among other keys', { locale: 'de-DE', [TARGET_KEY]: 'bob', [REASON_KEY]: 'why' }, true],
  ])('%s -> %s', (_, metadata, expected) => {
    expect(asksForImpersonation(metadata as Record<string, string> | undefined)).toBe(expected);
  });
});

describe('parseImpersonationRequest', () => {
  it('returns the trimmed target and reason', () => {
    expect(parseImpersonationRequest({ [TARGET_KEY]: '  bob  ', [REASON_KEY]: '\tTicket 1 \n' }, testConfig()))
      .toEqual({ target: 'bob', reason: 'Ticket 1' });
  });

  it('ignores other keys', () => {
    expect(parseImpersonationRequest({ [TARGET_KEY]: 'bob', [REASON_KEY]: 'why', locale: 'de-DE' }, testConfig()))
      .toStrictEqual({ target: 'bob', reason: 'why' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['missing target', { [REASON_KEY]: 'why' }],
    ['empty target', { [TARGET_KEY]: '', [REASON_KEY]: 'why' }],
    ['blank target', { [TARGET_KEY]: ' \u00a0 ', [REASON_KEY]: 'why' }],
    ['numeric target', { [TARGET_KEY]: 7, [REASON_KEY]: 'why' }],
    ['object target', { [TARGET_KEY]: { username: 'bob' }, [REASON_KEY]: 'why' }],
    ['null target', { [TARGET_KEY]: null, [REASON_KEY]: 'why' }],
    ['target of 129 characters', { [TARGET_KEY]: 'b'.repeat(LIMITS.MAX_TARGET_LENGTH + 1), [REASON_KEY]: 'why' }],
    ['target of 128 characters padded with spaces (length counts before trimming)',
      { [TARGET_KEY]: ` ${'b'.repeat(LIMITS.MAX_TARGET_LENGTH)}`, [REASON_KEY]: 'why' }],
    ['target with a tab', { [TARGET_KEY]: 'bob\t', [REASON_KEY]: 'why' }],
    ['target with a carriage return', { [TARGET_KEY]: 'bob\rINFO forged', [REASON_KEY]: 'why' }],
    ['target with NUL', { [TARGET_KEY]: '\u0000bob', [REASON_KEY]: 'why' }],
    ['target with DEL', { [TARGET_KEY]: 'bo\u007fb', [REASON_KEY]: 'why' }],
    ['target with NEL (C1)', { [TARGET_KEY]: 'bo\u0085b', [REASON_KEY]: 'why' }],
    ['target with U+009F (C1)', { [TARGET_KEY]: 'bob\u009f', [REASON_KEY]: 'why' }],
    ['numeric reason', { [TARGET_KEY]: 'bob', [REASON_KEY]: 1 }],
    ['null reason', { [TARGET_KEY]: 'bob', [REASON_KEY]: null }],
    ['reason over the configured maximum', { [TARGET_KEY]: 'bob', [REASON_KEY]: 'r'.repeat(257) }],
    ['reason with an inner newline', { [TARGET_KEY]: 'bob', [REASON_KEY]: 'a\nb' }],
    ['reason with an inner NEL (C1)', { [TARGET_KEY]: 'bob', [REASON_KEY]: 'a\u0085b' }],
    ['invalid target and missing reason (the target is checked first)', { [TARGET_KEY]: '' }],
  ])('refuses %s with InvalidRequest', (_, metadata) => {
    expect(refusalOf(metadata)).toBe(DENIAL_REASON.INVALID_REQUEST);
  });

  it('accepts a target of exactly 128 characters', () => {
    const target = 'b'.repeat(LIMITS.MAX_TARGET_LENGTH);
    expect(parseImpersonationRequest({ [TARGET_KEY]: target, [REASON_KEY]: 'why' }, testConfig()).target).toBe(target);
  });

  it('measures the reason after trimming, against the configured maximum', () => {
    const config = testConfig({ maxReasonLength: 5 });
    expect(parseImpersonationRequest({ [TARGET_KEY]: 'bob', [REASON_KEY]: '  12345  ' }, config).reason).toBe('12345');
    expect(refusalOf({ [TARGET_KEY]: 'bob', [REASON_KEY]: '123456' }, config)).toBe(DENIAL_REASON.INVALID_REQUEST);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no reason', { [TARGET_KEY]: 'bob' }],
    ['an empty reason', { [TARGET_KEY]: 'bob', [REASON_KEY]: '' }],
    ['a blank reason', { [TARGET_KEY]: 'bob', [REASON_KEY]: ' \n\t ' }],
  ])('refuses %s with ReasonRequired when a reason is required', (_, metadata) => {
    expect(refusalOf(metadata)).toBe(DENIAL_REASON.REASON_REQUIRED);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no reason', { [TARGET_KEY]: 'bob' }],
    ['an empty reason', { [TARGET_KEY]: 'bob', [REASON_KEY]: '' }],
    ['a blank reason', { [TARGET_KEY]: 'bob', [REASON_KEY]: '   ' }],
  ])('accepts %s when no reason is required, and reports none', (_, metadata) => {
    expect(parseImpersonationRequest(metadata, testConfig({ requireReason: false }))).toStrictEqual({ target: 'bob', reason: undefined });
  });

  it('still validates a reason that is not required', () => {
    expect(refusalOf({ [TARGET_KEY]: 'bob', [REASON_KEY]: 'a\u0000b' }, testConfig({ requireReason: false })))
      .toBe(DENIAL_REASON.INVALID_REQUEST);
  });

  describe('properties', () => {
    it('accepts any non-blank target of 1..128 characters without control characters, and returns it trimmed', () => {
      const unit = fc.oneof(
        { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
        { weight: 1, arbitrary: fc.constantFrom(' ', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u2028', '@', '.', '_', '-', 'é') },
      );
      const target = fc.string({ unit, minLength: 1, maxLength: LIMITS.MAX_TARGET_LENGTH })
        .filter((s) => s.length <= LIMITS.MAX_TARGET_LENGTH && !CONTROL.test(s) && s.trim() !== '');
      fc.assert(fc.property(target, (t) => {
        const request = parseImpersonationRequest({ [TARGET_KEY]: t, [REASON_KEY]: 'why' }, testConfig());
        expect(request.target).toBe(t.trim());
      }), { numRuns: 500 });
    });

    it('refuses any target containing a control character with InvalidRequest', () => {
      const target = fc.tuple(fc.string({ unit: 'binary' }), controlCharacter, fc.string({ unit: 'binary' }))
        .map(([before, control, after]) => `${before}${control}${after}`);
      fc.assert(fc.property(target, (t) => {
        expect(refusalOf({ [TARGET_KEY]: t, [REASON_KEY]: 'why' })).toBe(DENIAL_REASON.INVALID_REQUEST);
      }), { numRuns: 500 });
    });

    it('refuses any reason with a control character between non-blank text with InvalidRequest', () => {
      const reason = fc.tuple(fc.string({ minLength: 1, maxLength: 50 }), controlCharacter, fc.string({ minLength: 1, maxLength: 50 }))
        .filter(([before, , after]) => before.trim() !== '' && after.trim() !== '')
        .map(([before, control, after]) => `${before}${control}${after}`);
      fc.assert(fc.property(reason, fc.boolean(), (r, requireReason) => {
        expect(refusalOf({ [TARGET_KEY]: 'bob', [REASON_KEY]: r }, testConfig({ requireReason }))).toBe(DENIAL_REASON.INVALID_REQUEST);
      }), { numRuns: 300 });
    });

    it('never throws anything but ImpersonationRefused, whatever the metadata', () => {
      fc.assert(fc.property(fc.dictionary(fc.constantFrom(TARGET_KEY, REASON_KEY, 'other'), fc.anything()), (metadata) => {
        try {
          const request = parseImpersonationRequest(metadata, testConfig());
          expect(typeof request.target).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(ImpersonationRefused);
        }
      }), { numRuns: 300 });
    });
  });
});

describe('boundedForAudit', () => {
  it('returns short strings unchanged', () => {
    expect(boundedForAudit('bob')).toBe('bob');
    expect(boundedForAudit('')).toBe('');
    expect(boundedForAudit('b'.repeat(LIMITS.MAX_TARGET_LENGTH))).toBe('b'.repeat(LIMITS.MAX_TARGET_LENGTH));
  });

  it('cuts longer strings at 128 characters by default, and marks the cut', () => {
    expect(boundedForAudit('b'.repeat(LIMITS.MAX_TARGET_LENGTH + 1))).toBe(`${'b'.repeat(LIMITS.MAX_TARGET_LENGTH)}…`);
  });

  it('uses the given maximum', () => {
    expect(boundedForAudit('abcdef', 3)).toBe('abc…');
    expect(boundedForAudit('abc', 3)).toBe('abc');
  });

  it.each([undefined, null, 42, true, {}, ['bob']])('returns undefined for %j', (value) => {
    expect(boundedForAudit(value)).toBeUndefined();
  });

  it('never returns more than max + 1 characters, and keeps the value\'s prefix', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 1, max: 200 }), (value, max) => {
      const bounded = boundedForAudit(value, max) as string;
      expect(bounded.length).toBeLessThanOrEqual(max + 1);
      if (value.length <= max) {
        expect(bounded).toBe(value);
      } else {
        expect(bounded).toBe(`${value.slice(0, max)}…`);
      }
    }), { numRuns: 500 });
  });
});
