import { Duration } from 'aws-cdk-lib';
import { logicalId, stackWith } from './helpers';
import { ImpersonationStrategy } from '../src';
import { ENV } from '../src/private/contract';

/** maxAdminAuthAge (issue 14, item 2): the broker's step-up, set on the broker only. */
describe('maxAdminAuthAge', () => {
  test.each([
    ['customChallenge', () => ImpersonationStrategy.customChallenge()],
    ['groups', () => ImpersonationStrategy.groups()],
  ])('%s: the broker, and only the broker, gets the limit in seconds', (_name, strategy) => {
    const { stack, impersonation, template } = stackWith({ strategy: strategy(), maxAdminAuthAge: Duration.minutes(15) });
    const functions = template.findResources('AWS::Lambda::Function');
    const brokerId = logicalId(stack, impersonation.brokerFunction!);
    expect(functions[brokerId].Properties.Environment.Variables[ENV.MAX_ADMIN_AUTH_AGE_SECONDS]).toBe('900');
    const others = Object.entries(functions).filter(([id]) => id !== brokerId);
    expect(others.length).toBeGreaterThan(0);
    for (const [, fn] of others) expect(fn.Properties.Environment?.Variables?.[ENV.MAX_ADMIN_AUTH_AGE_SECONDS]).toBeUndefined();
  });

  test('not set: no limit in the broker\'s environment', () => {
    const { template } = stackWith({ strategy: ImpersonationStrategy.customChallenge() });
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    for (const fn of functions) expect(fn.Properties.Environment?.Variables?.[ENV.MAX_ADMIN_AUTH_AGE_SECONDS]).toBeUndefined();
  });

  test('preTokenGeneration has no broker: setting it is an error', () => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.preTokenGeneration(), maxAdminAuthAge: Duration.minutes(15) }))
      .toThrow(/maxAdminAuthAge needs a strategy with a broker \(customChallenge, groups\), not preTokenGeneration/);
  });

  test.each([
    [Duration.seconds(30), '30 seconds'],
    [Duration.seconds(90), '1 minute 30 seconds'],
    [Duration.minutes(1441), '1 day 1 minute'],
  ])('%s is refused', (age, shown) => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.customChallenge(), maxAdminAuthAge: age }))
      .toThrow(`CognitoImpersonation: maxAdminAuthAge must be whole minutes from 1 minute to 1 day, got ${shown}`);
  });

  test.each([Duration.minutes(1), Duration.days(1)])('%s, at the edges, is accepted', (age) => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.groups(), maxAdminAuthAge: age })).not.toThrow();
  });
});
