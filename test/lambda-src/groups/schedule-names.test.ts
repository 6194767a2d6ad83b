import { randomUUID } from 'crypto';
import { isScheduleName, scheduleNameOf, scheduleNamePrefixOf } from '../../../lambda-src/groups/schedule-names';
import { ADMIN } from '../fixtures/common';
import { SESSION_ID } from '../fixtures/groups';

describe('schedule names', () => {
  it('are the admin\'s sub and the session id in 22 base64url characters: 59 characters, a valid schedule name', () => {
    const name = scheduleNameOf(ADMIN.sub, SESSION_ID);
    expect(name).toBe(`${ADMIN.sub}.Xwx9fppRTB6NOitvThqcEA`);
    expect(name).toHaveLength(59);
    expect(name).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
    expect(name.startsWith(scheduleNamePrefixOf(ADMIN.sub))).toBe(true);
    expect(isScheduleName(name)).toBe(true);
  });

  it('differ for every session', () => {
    const names = new Set(Array.from({ length: 1000 }, () => scheduleNameOf(ADMIN.sub, randomUUID())));
    expect(names.size).toBe(1000);
  });

  it('are only made of UUIDs', () => {
    expect(() => scheduleNameOf('alice', SESSION_ID)).toThrow();
    expect(() => scheduleNameOf(ADMIN.sub, 'x')).toThrow();
    expect(() => scheduleNamePrefixOf('"*')).toThrow();
  });
});
