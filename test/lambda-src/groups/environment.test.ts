import { readLifecycleEnvironment } from '../../../lambda-src/groups/environment';
import { ENV } from '../../../src/private/contract';

/** The groups handlers' configuration: complete and well-formed, or refused (fail closed). */

const VALID = {
  [ENV.USER_POOL_ID]: 'eu-west-1_AbCdEf123',
  [ENV.SCHEDULE_GROUP]: 'TestStackImpersonation0C63F577-sessions',
  [ENV.SESSION_TABLE]: 'TestStack-ImpersonationSessionsTable-1A2B3C',
  [ENV.SESSION_LEASE_SECONDS]: '120',
  [ENV.END_SESSION_FUNCTION_ARN]: 'arn:aws:lambda:eu-west-1:123456789012:function:EndSession',
  [ENV.SCHEDULER_ROLE_ARN]: 'arn:aws:iam::123456789012:role/SchedulerRole',
  [ENV.EXPIRY_DEAD_LETTER_QUEUE_ARN]: 'arn:aws:sqs:eu-west-1:123456789012:DeadLetters',
  [ENV.DEFAULT_DURATION_MINUTES]: '15',
  [ENV.MAX_DURATION_MINUTES]: '60',
};

describe('the groups environment', () => {
  it('reads what the construct sets', () => {
    expect(readLifecycleEnvironment(VALID, { needsExpiry: true })).toEqual({
      userPoolId: 'eu-west-1_AbCdEf123',
      scheduleGroup: 'TestStackImpersonation0C63F577-sessions',
      tableName: 'TestStack-ImpersonationSessionsTable-1A2B3C',
      leaseMs: 120_000,
      expiry: {
        functionArn: VALID[ENV.END_SESSION_FUNCTION_ARN],
        roleArn: VALID[ENV.SCHEDULER_ROLE_ARN],
        deadLetterArn: VALID[ENV.EXPIRY_DEAD_LETTER_QUEUE_ARN],
        kmsKeyArn: undefined,
      },
      defaultMinutes: 15,
      maxMinutes: 60,
    });
  });

  it('EndSession and the sweeper need no expiry target', () => {
    const { [ENV.END_SESSION_FUNCTION_ARN]: _, [ENV.SCHEDULER_ROLE_ARN]: __, ...rest } = VALID;
    expect(readLifecycleEnvironment(rest, { needsExpiry: false }).expiry).toBeUndefined();
    expect(() => readLifecycleEnvironment(rest, { needsExpiry: true })).toThrow(/expiry target/);
  });

  it.each([
    ['no table', { [ENV.SESSION_TABLE]: undefined }, /SESSION_TABLE/],
    ['a table name DynamoDB would refuse', { [ENV.SESSION_TABLE]: 'a b' }, /SESSION_TABLE/],
    ['no lease', { [ENV.SESSION_LEASE_SECONDS]: undefined }, /LEASE/],
    ['a lease shorter than a function runs', { [ENV.SESSION_LEASE_SECONDS]: '30' }, /LEASE/],
    ['no pool', { [ENV.USER_POOL_ID]: undefined }, /USER_POOL_ID/],
    ['no schedule group', { [ENV.SCHEDULE_GROUP]: undefined }, /SCHEDULE_GROUP/],
    ['a malformed ARN', { [ENV.SCHEDULE_KMS_KEY_ARN]: 'alias/mine' }, /ARN/],
    ['a default over the maximum', { [ENV.DEFAULT_DURATION_MINUTES]: '90' }, /durations/],
  ])('refuses %s', (_case, change, error) => {
    expect(() => readLifecycleEnvironment({ ...VALID, ...change }, { needsExpiry: true })).toThrow(error);
  });
});
