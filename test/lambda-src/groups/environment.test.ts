import { readGroupsEnvironment } from '../../../lambda-src/groups/environment';
import { ENV } from '../../../src/private/contract';
import { SCHEDULE_GROUP } from '../fixtures/groups';

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
