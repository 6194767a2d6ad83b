import { randomUUID } from 'crypto';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { readGroupsEnvironment } from '../../../lambda-src/groups/environment';
import { isScheduleName, scheduleNameOf, scheduleNamePrefixOf } from '../../../lambda-src/groups/schedule-names';
import { SESSION_KIND, parseSession } from '../../../lambda-src/groups/session';
import { atExpression, listSessions } from '../../../lambda-src/groups/session-store';
import { ENV } from '../../../src/private/contract';
import { ADMIN, TARGET, USER_POOL_ID } from '../fixtures';
import { FakeScheduler, SCHEDULE_GROUP } from '../groups-fixtures';

const SESSION_ID = '5f0c7d7e-9a51-4c1e-8d3a-2b6f4e1a9c10';

function session(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: SESSION_KIND,
    version: 1,
    sessionId: SESSION_ID,
    scheduleName: scheduleNameOf(ADMIN.sub, SESSION_ID),
    userPoolId: USER_POOL_ID,
    admin: { sub: ADMIN.sub, username: ADMIN.username },
    target: { sub: TARGET.sub, username: TARGET.username },
    groupsAdded: ['customers'],
    reason: 'SUP-1',
    startedAt: '2026-11-22T10:00:00.000Z',
    expiresAt: '2026-11-22T10:15:00.000Z',
    ...overrides,
  };
}

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

describe('parseSession', () => {
  it('accepts a session, from JSON text too', () => {
    expect(parseSession(session())).toEqual(session());
    expect(parseSession(JSON.stringify(session()))).toEqual(session());
    expect(parseSession(session({ reason: undefined, target: { username: TARGET.username } }))).toBeDefined();
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
    expect(() => parseSession(session(overrides))).toThrow();
  });
});

it('atExpression: at() in UTC to the second', () => {
  expect(atExpression('2026-11-22T10:15:00.000Z')).toBe('at(2026-11-22T10:15:00)');
});

describe('readGroupsEnvironment', () => {
  const env = (overrides: Record<string, string | undefined> = {}) => ({
    [ENV.SCHEDULE_GROUP]: SCHEDULE_GROUP,
    [ENV.END_SESSION_FUNCTION_ARN]: 'arn:aws:lambda:eu-west-1:123456789012:function:end',
    [ENV.SCHEDULER_ROLE_ARN]: 'arn:aws:iam::123456789012:role/scheduler',
    [ENV.DEFAULT_DURATION_MINUTES]: '15',
    [ENV.MAX_DURATION_MINUTES]: '60',
    ...overrides,
  });

  it('reads the group, the target and the durations', () => {
    expect(readGroupsEnvironment(env(), { needsTarget: true })).toEqual({
      groupName: SCHEDULE_GROUP,
      target: { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:end', roleArn: 'arn:aws:iam::123456789012:role/scheduler' },
      defaultMinutes: 15,
      maxMinutes: 60,
    });
  });

  it.each([
    ['no group', { [ENV.SCHEDULE_GROUP]: undefined }],
    ['a group name with a slash', { [ENV.SCHEDULE_GROUP]: 'a/b' }],
    ['no function', { [ENV.END_SESSION_FUNCTION_ARN]: undefined }],
    ['no role', { [ENV.SCHEDULER_ROLE_ARN]: undefined }],
    ['a default above the maximum', { [ENV.DEFAULT_DURATION_MINUTES]: '61' }],
    ['a maximum above 12 hours', { [ENV.MAX_DURATION_MINUTES]: '721' }],
    ['a default below 5 minutes', { [ENV.DEFAULT_DURATION_MINUTES]: '4' }],
    ['a duration that is not a number', { [ENV.MAX_DURATION_MINUTES]: 'an hour' }],
  ])('refuses %s', (_, overrides) => {
    expect(() => readGroupsEnvironment(env(overrides), { needsTarget: true })).toThrow();
  });

  it('EndSession needs no target', () => {
    expect(readGroupsEnvironment(env({ [ENV.SCHEDULER_ROLE_ARN]: undefined }), { needsTarget: false }).target).toBeUndefined();
  });
});

describe('listSessions', () => {
  const schedulerMock = mockClient(SchedulerClient);
  afterAll(() => schedulerMock.restore());

  it('stops at the limit and says the list is truncated', async () => {
    schedulerMock.reset();
    const fake = new FakeScheduler([]);
    fake.install(schedulerMock);
    for (let i = 0; i < 3; i++) {
      const id = randomUUID();
      const s = session({ sessionId: id, scheduleName: scheduleNameOf(ADMIN.sub, id), expiresAt: `2026-11-22T10:1${i}:00.000Z` });
      fake.schedules.set(s.scheduleName as string, { GroupName: SCHEDULE_GROUP, Name: s.scheduleName as string, Target: { Arn: 'a', RoleArn: 'r', Input: JSON.stringify(s) } } as any);
    }
    const store = { scheduler: new SchedulerClient({}), groupName: SCHEDULE_GROUP };

    const limited = await listSessions(store, { limit: 2 });
    expect(limited.sessions).toHaveLength(2);
    expect(limited.truncated).toBe(true);

    const all = await listSessions(store, { limit: 3 });
    expect(all.truncated).toBe(false);
    expect(all.sessions.map((s) => s.expiresAt)).toEqual(['2026-11-22T10:10:00.000Z', '2026-11-22T10:11:00.000Z', '2026-11-22T10:12:00.000Z']);
  });
});
