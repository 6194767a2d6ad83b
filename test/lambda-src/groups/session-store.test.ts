import { fromItem } from '../../../lambda-src/groups/session-store';

/** The session table holds only what the lifecycle wrote: anything else is refused, never acted on. */

const ITEM = {
  pk: { S: '11111111-aaaa-4bbb-8ccc-000000000001' },
  sid: { S: '22222222-aaaa-4bbb-8ccc-000000000002' },
  state: { S: 'ACTIVE' },
  ver: { N: '3' },
  lease: { N: '0' },
  claim: { S: '33333333-aaaa-4bbb-8ccc-000000000003' },
  pool: { S: 'eu-west-1_AbCdEf123' },
  adminUser: { S: 'alice.support' },
  targetUser: { S: 'bob.customer' },
  groups: { L: [{ S: 'beta-testers' }] },
  startedAt: { S: '2026-01-05T09:00:00.000Z' },
  expiresAt: { S: '2026-01-05T09:15:00.000Z' },
  expiresEpoch: { N: '1767604500' },
  sched: { S: '11111111-aaaa-4bbb-8ccc-000000000001.IiIiIqqqS7uMzAAAAAAAAg' },
};

describe('session records', () => {
  it('are read field by field', () => {
    expect(fromItem(ITEM)).toEqual({
      sessionId: ITEM.sid.S,
      state: 'ACTIVE',
      version: 3,
      leaseUntil: 0,
      claimId: ITEM.claim.S,
      userPoolId: 'eu-west-1_AbCdEf123',
      admin: { sub: ITEM.pk.S, username: 'alice.support' },
      target: { sub: undefined, username: 'bob.customer' },
      groups: ['beta-testers'],
      reason: undefined,
      startedAt: ITEM.startedAt.S,
      expiresAt: ITEM.expiresAt.S,
      scheduleName: ITEM.sched.S,
    });
  });

  it.each([
    ['an unknown state', { state: { S: 'ENDED' } }],
    ['a version that is not a number', { ver: { S: '3' } }],
    ['an admin sub that is not a UUID', { pk: { S: 'alice' } }],
    ['a group name Cognito would refuse', { groups: { L: [{ S: 'with space' }] } }],
    ['more than 100 groups', { groups: { L: Array.from({ length: 101 }, (_, i) => ({ S: `g${i}` })) } }],
    ['no claim id', { claim: undefined }],
    ['a time that is not ISO 8601', { expiresAt: { S: 'tomorrow' } }],
  ])('refuse %s', (_case, change) => {
    expect(() => fromItem({ ...ITEM, ...change } as any)).toThrow(/did not write/);
  });
});
