import { scheduleNameOf } from '../../../lambda-src/groups/schedule-names';
import { parseSession } from '../../../lambda-src/groups/session';
import { ADMIN, TARGET } from '../fixtures/common';
import { SESSION_ID, storedSession } from '../fixtures/groups';

describe('parseSession', () => {
  it('accepts a session, from JSON text too', () => {
    expect(parseSession(storedSession())).toEqual(storedSession());
    expect(parseSession(JSON.stringify(storedSession()))).toEqual(storedSession());
    expect(parseSession(storedSession({ reason: undefined, target: { username: TARGET.username } }))).toBeDefined();
  });

  it.each([
    ['another kind', { kind: 'other' }],
    ['another version', { version: 2 }],
    ['a schedule name that is not the admin\'s', { scheduleName: scheduleNameOf(TARGET.sub, SESSION_ID) }],
    ['an admin without sub', { admin: { username: ADMIN.username } }],
    ['more than 100 groups', { groupsAdded: Array.from({ length: 101 }, (_, i) => `g${i}`) }],
    ['a group name with a space', { groupsAdded: ['a b'] }],
    ['a time that is not ISO', { expiresAt: '2026-11-22 10:15' }],
    ['no target', { target: undefined }],
  ])('refuses %s', (_, overrides) => {
    expect(() => parseSession(storedSession(overrides))).toThrow();
  });
});
