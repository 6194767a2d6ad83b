import { randomUUID } from 'crypto';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { scheduleNameOf } from '../../../lambda-src/groups/schedule-names';
import { atExpression, listSessions } from '../../../lambda-src/groups/session-store';
import { ADMIN } from '../fixtures/common';
import { FakeScheduler, SCHEDULE_GROUP, storedSession } from '../fixtures/groups';

it('atExpression: at() in UTC to the second', () => {
  expect(atExpression('2026-11-22T10:15:00.000Z')).toBe('at(2026-11-22T10:15:00)');
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
      const s = storedSession({ sessionId: id, scheduleName: scheduleNameOf(ADMIN.sub, id), expiresAt: `2026-11-22T10:1${i}:00.000Z` });
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
