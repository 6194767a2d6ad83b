import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { fromItem, keyOf, stateAt, type ApprovalRecord } from '../../../lambda-src/approval/approval-store';
import { ImpersonationRefused } from '../../../lambda-src/common/errors';
import { DENIAL_REASON } from '../../../src/private/contract';

/** The approval item's shape and the passive expiry; the writes are tested through the broker (approval-actions.test.ts). */

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const ITEM: Record<string, AttributeValue> = {
  pk: { S: 'approval#8f14e45f-ea8e-4b6b-9c1d-3a5b7c9d1e2f' },
  id: { S: '8f14e45f-ea8e-4b6b-9c1d-3a5b7c9d1e2f' },
  state: { S: 'PENDING' },
  requesterSub: { S: 'a-sub' },
  requesterUsername: { S: 'alice' },
  targetSub: { S: 'b-sub' },
  targetUsername: { S: 'bob' },
  reason: { S: '' },
  strategy: { S: 'groups' },
  durationMinutes: { N: '15' },
  requestedAt: { N: String(T0) },
  expiresAt: { N: String(T0 + 1_800_000) },
};

test('the key carries the approval prefix', () => {
  expect(keyOf('x')).toEqual({ pk: { S: 'approval#x' } });
});

test('an item reads back as a record', () => {
  expect(fromItem(ITEM)).toMatchObject({ id: ITEM.id.S, state: 'PENDING', requester: { sub: 'a-sub', username: 'alice' }, reason: '', durationMinutes: 15 });
});

test.each([
  ['an unknown state', { state: { S: 'EXPIRED' } }],
  ['no requester', { requesterSub: undefined }],
  ['no expiry', { expiresAt: undefined }],
  ['no reason attribute', { reason: undefined }],
])('a malformed item (%s) is a LookupFailed, never taken for valid', (_name, change) => {
  const item = { ...ITEM, ...change } as Record<string, AttributeValue>;
  for (const [k, v] of Object.entries(item)) if (v === undefined) delete item[k];
  expect(() => fromItem(item)).toThrow(new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED));
});

describe('passive expiry', () => {
  const record = fromItem(ITEM);
  test('PENDING until its timeout, EXPIRED from it on', () => {
    expect(stateAt(record, T0 + 1_799_999)).toBe('PENDING');
    expect(stateAt(record, T0 + 1_800_000)).toBe('EXPIRED');
  });

  test('APPROVED until its completion window closes, EXPIRED from then on; decided states stay', () => {
    const approved: ApprovalRecord = { ...record, state: 'APPROVED', decidedAt: T0 + 60_000, completeBy: T0 + 660_000 };
    expect(stateAt(approved, T0 + 659_999)).toBe('APPROVED');
    expect(stateAt(approved, T0 + 660_000)).toBe('EXPIRED');
    expect(stateAt({ ...record, state: 'REJECTED' }, T0 + 10 * 86_400_000)).toBe('REJECTED');
    expect(stateAt({ ...record, state: 'USED' }, T0 + 10 * 86_400_000)).toBe('USED');
  });
});
