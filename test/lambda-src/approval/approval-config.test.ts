import { readApprovalConfig } from '../../../lambda-src/approval/approval-config';
import { ENV } from '../../../src/private/contract';

/** The approval configuration the construct sets on the broker: off when absent, refused when malformed (fail closed). */

const ON = {
  [ENV.APPROVER_GROUP]: 'support-leads',
  [ENV.APPROVAL_TIMEOUT_SECONDS]: '1800',
  [ENV.APPROVAL_WINDOW_SECONDS]: '600',
};

test('off without an approver group', () => {
  expect(readApprovalConfig({})).toBeUndefined();
  expect(readApprovalConfig({ [ENV.APPROVAL_TIMEOUT_SECONDS]: '1800' })).toBeUndefined();
});

test('on: the group, both windows in ms, and the target groups when set', () => {
  expect(readApprovalConfig(ON)).toEqual({ approverGroupName: 'support-leads', timeoutMs: 1_800_000, windowMs: 600_000, targetGroups: undefined });
  expect(readApprovalConfig({ ...ON, [ENV.APPROVAL_TARGET_GROUPS]: '["vip","enterprise"]' })!.targetGroups).toEqual(new Set(['vip', 'enterprise']));
});

test.each([
  ['an empty approver group', { [ENV.APPROVER_GROUP]: '' }],
  ['an approver group with a space', { [ENV.APPROVER_GROUP]: 'support leads' }],
  ['no timeout', { [ENV.APPROVAL_TIMEOUT_SECONDS]: undefined }],
  ['a timeout under a minute', { [ENV.APPROVAL_TIMEOUT_SECONDS]: '59' }],
  ['a timeout over a day', { [ENV.APPROVAL_TIMEOUT_SECONDS]: '86401' }],
  ['a fractional timeout', { [ENV.APPROVAL_TIMEOUT_SECONDS]: '90.5' }],
  ['no window', { [ENV.APPROVAL_WINDOW_SECONDS]: undefined }],
  ['a window over an hour', { [ENV.APPROVAL_WINDOW_SECONDS]: '3601' }],
  ['target groups not JSON', { [ENV.APPROVAL_TARGET_GROUPS]: 'vip' }],
  ['target groups empty', { [ENV.APPROVAL_TARGET_GROUPS]: '[]' }],
  ['target groups not names', { [ENV.APPROVAL_TARGET_GROUPS]: '["vip", 1]' }],
])('%s: refused', (_name, change) => {
  const env: Record<string, string | undefined> = { ...ON, ...change };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  expect(() => readApprovalConfig(env)).toThrow();
});

test('at the edges: 1 minute to 1 day to decide, 1 to 60 minutes to complete', () => {
  expect(readApprovalConfig({ ...ON, [ENV.APPROVAL_TIMEOUT_SECONDS]: '60', [ENV.APPROVAL_WINDOW_SECONDS]: '60' })).toBeDefined();
  expect(readApprovalConfig({ ...ON, [ENV.APPROVAL_TIMEOUT_SECONDS]: '86400', [ENV.APPROVAL_WINDOW_SECONDS]: '3600' })).toBeDefined();
});
