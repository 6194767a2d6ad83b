import { readConfig } from '../../../lambda-src/common/config';
import { ENV, LIMITS } from '../../../src/private/contract';
import { ADMIN_GROUP, setImpersonationEnv } from '../fixtures/common';

/** An environment with the admin group and `extra`. */
function env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { [ENV.ADMIN_GROUP]: ADMIN_GROUP, ...extra };
}

describe('readConfig', () => {
  it('has defaults for everything but the admin group', () => {
    expect(readConfig(env())).toEqual({
      adminGroupName: ADMIN_GROUP,
      protectedGroupNames: new Set([ADMIN_GROUP]),
      requireReason: true,
      maxReasonLength: LIMITS.DEFAULT_MAX_REASON_LENGTH,
      claimName: 'impersonating',
    });
  });

  it('reads every setting', () => {
    const config = readConfig(env({
      [ENV.PROTECTED_GROUPS]: JSON.stringify(['billing-admins', 'owners']),
      [ENV.REQUIRE_REASON]: 'false',
      [ENV.MAX_REASON_LENGTH]: '80',
      [ENV.CLAIM_NAME]: 'act_as',
    }));
    expect(config).toEqual({
      adminGroupName: ADMIN_GROUP,
      protectedGroupNames: new Set([ADMIN_GROUP, 'billing-admins', 'owners']),
      requireReason: false,
      maxReasonLength: 80,
      claimName: 'act_as',
    });
  });

  it('reads process.env by default', () => {
    const restore = setImpersonationEnv({ ADMIN_GROUP: 'from-process-env', CLAIM_NAME: 'x_claim' });
    try {
      const config = readConfig();
      expect(config.adminGroupName).toBe('from-process-env');
      expect(config.claimName).toBe('x_claim');
    } finally {
      restore();
    }
  });

  describe('the admin group is always protected', () => {
    it.each([
      ['unset', undefined],
      ['an empty list', '[]'],
      ['other groups only', '["billing-admins"]'],
      ['a list that already has it', JSON.stringify(['billing-admins', ADMIN_GROUP])],
    ])('protected groups %s', (_, value) => {
      const config = readConfig(env({ [ENV.PROTECTED_GROUPS]: value }));
      expect(config.protectedGroupNames.has(ADMIN_GROUP)).toBe(true);
      expect([...config.protectedGroupNames].filter((g) => g === ADMIN_GROUP)).toHaveLength(1);
    });
  });

  describe('requireReason is true unless exactly "false"', () => {
    it.each<[string | undefined, boolean]>([
      [undefined, true],
      ['false', false],
      ['true', true],
      ['FALSE', true],
      ['False', true],
      [' false', true],
      ['0', true],
      ['no', true],
      ['', true],
    ])('%j -> %s', (value, expected) => {
      expect(readConfig(env({ [ENV.REQUIRE_REASON]: value })).requireReason).toBe(expected);
    });
  });

  it.each(['1', '256', String(LIMITS.MAX_REASON_LENGTH)])('accepts a maximum reason length of %s', (value) => {
    expect(readConfig(env({ [ENV.MAX_REASON_LENGTH]: value })).maxReasonLength).toBe(Number(value));
  });

  describe('refuses a malformed configuration (fail closed)', () => {
    it.each<[string, NodeJS.ProcessEnv, string]>([
      ['no admin group', {}, `${ENV.ADMIN_GROUP} is not set`],
      ['an empty admin group', { [ENV.ADMIN_GROUP]: '' }, `${ENV.ADMIN_GROUP} is not set`],
      ['protected groups that are not JSON', env({ [ENV.PROTECTED_GROUPS]: 'billing-admins' }), `${ENV.PROTECTED_GROUPS} is not valid JSON`],
      ['protected groups that are an empty string', env({ [ENV.PROTECTED_GROUPS]: '' }), `${ENV.PROTECTED_GROUPS} is not valid JSON`],
      ['protected groups that are an object', env({ [ENV.PROTECTED_GROUPS]: '{"billing-admins":true}' }),
        `${ENV.PROTECTED_GROUPS} must be a JSON array of strings`],
      ['protected groups that are a string', env({ [ENV.PROTECTED_GROUPS]: '"billing-admins"' }),
        `${ENV.PROTECTED_GROUPS} must be a JSON array of strings`],
      ['protected groups that are null', env({ [ENV.PROTECTED_GROUPS]: 'null' }), `${ENV.PROTECTED_GROUPS} must be a JSON array of strings`],
      ['protected groups with a number', env({ [ENV.PROTECTED_GROUPS]: '["a", 1]' }), `${ENV.PROTECTED_GROUPS} must be a JSON array of strings`],
      ['a maximum reason length of 0', env({ [ENV.MAX_REASON_LENGTH]: '0' }),
        `${ENV.MAX_REASON_LENGTH} must be an integer from 1 to ${LIMITS.MAX_REASON_LENGTH}`],
      ['a maximum reason length over the hard limit', env({ [ENV.MAX_REASON_LENGTH]: String(LIMITS.MAX_REASON_LENGTH + 1) }),
        `${ENV.MAX_REASON_LENGTH} must be an integer from 1 to ${LIMITS.MAX_REASON_LENGTH}`],
      ['a negative maximum reason length', env({ [ENV.MAX_REASON_LENGTH]: '-5' }),
        `${ENV.MAX_REASON_LENGTH} must be an integer from 1 to ${LIMITS.MAX_REASON_LENGTH}`],
      ['a fractional maximum reason length', env({ [ENV.MAX_REASON_LENGTH]: '1.5' }),
        `${ENV.MAX_REASON_LENGTH} must be an integer from 1 to ${LIMITS.MAX_REASON_LENGTH}`],
      ['a maximum reason length that is not a number', env({ [ENV.MAX_REASON_LENGTH]: 'lots' }),
        `${ENV.MAX_REASON_LENGTH} must be an integer from 1 to ${LIMITS.MAX_REASON_LENGTH}`],
      ['an empty maximum reason length', env({ [ENV.MAX_REASON_LENGTH]: '' }),
        `${ENV.MAX_REASON_LENGTH} must be an integer from 1 to ${LIMITS.MAX_REASON_LENGTH}`],
    ])('%s', (_, environment, message) => {
      expect(() => readConfig(environment)).toThrow(new Error(message));
    });
  });
});
