import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { grants, logicalId, stackWith, testStack } from './helpers';
import { CognitoImpersonation, ImpersonationStrategy } from '../src';
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

const LIST_AUTH_EVENTS = 'cognito-idp:AdminListUserAuthEvents';

/** Sets the test pool's plan and threat protection mode (through the L1: every aws-cdk-lib version). */
function poolWith(tier: string | undefined, mode: string | undefined) {
  return (stack: Stack) => {
    const pool = stack.node.findChild('UserPool').node.defaultChild as cognito.CfnUserPool;
    if (tier !== undefined) pool.addPropertyOverride('UserPoolTier', tier);
    if (mode !== undefined) pool.addPropertyOverride('UserPoolAddOns.AdvancedSecurityMode', mode);
  };
}
/** A pool that reports its sign-ins: Plus, threat protection in audit mode. */
const reportsSignIns = poolWith('PLUS', 'AUDIT');

/** requireAdminMfa (issue 14, item 2): the broker asks the pool whether the admin's sign-in used MFA. */
describe('requireAdminMfa', () => {
  test.each([
    ['customChallenge', () => ImpersonationStrategy.customChallenge()],
    ['groups', () => ImpersonationStrategy.groups()],
  ])('%s: the broker, and only the broker, is told to and may list auth events, on the pool only', (_name, strategy) => {
    const withMfa = stackWith({ strategy: strategy(), requireAdminMfa: true }, reportsSignIns);
    const without = stackWith({ strategy: strategy() }, reportsSignIns);
    const functions = withMfa.template.findResources('AWS::Lambda::Function');
    const brokerId = withMfa.fn('Broker');
    expect(functions[brokerId].Properties.Environment.Variables[ENV.REQUIRE_ADMIN_MFA]).toBe('true');
    const others = Object.entries(functions).filter(([id]) => id !== brokerId);
    expect(others.length).toBeGreaterThan(0);
    for (const [, fn] of others) expect(fn.Properties.Environment?.Variables?.[ENV.REQUIRE_ADMIN_MFA]).toBeUndefined();

    // Exactly one more grant: the action on the pool's ARN, nothing else changed.
    expect(grants(withMfa.template, withMfa.role('Broker'))).toEqual({
      ...grants(without.template, without.role('Broker')),
      [LIST_AUTH_EVENTS]: [withMfa.pool],
    });
    const policies = Object.values(withMfa.template.findResources('AWS::IAM::Policy'));
    const listing = policies.filter((p: any) => JSON.stringify(p.Properties.PolicyDocument).includes(LIST_AUTH_EVENTS));
    expect(listing.map((p: any) => p.Properties.Roles)).toEqual([[{ Ref: withMfa.role('Broker') }]]);
  });

  test('not set: no flag in any environment and no function may list auth events', () => {
    const { template } = stackWith({ strategy: ImpersonationStrategy.groups() });
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment?.Variables?.[ENV.REQUIRE_ADMIN_MFA]).toBeUndefined();
    }
    expect(JSON.stringify(template.toJSON())).not.toContain(LIST_AUTH_EVENTS);
  });

  test('preTokenGeneration has no broker: setting it is an error', () => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.preTokenGeneration(), requireAdminMfa: true }, reportsSignIns))
      .toThrow(/requireAdminMfa needs a strategy with a broker \(customChallenge, groups\), not preTokenGeneration/);
  });

  test.each([
    ['on the Lite plan', 'LITE', 'AUDIT', /this pool is on the Lite feature plan, which has no threat protection/],
    ['on the Essentials plan', 'ESSENTIALS', undefined, /this pool is on the Essentials feature plan/],
    ['without threat protection (no add-ons in its template)', undefined, undefined, /has threat protection off \(no UserPoolAddOns.AdvancedSecurityMode in its template\)/],
    ['Plus with threat protection off', 'PLUS', 'OFF', /has threat protection off \(UserPoolAddOns.AdvancedSecurityMode OFF\)/],
  ])('a pool of the app %s fails at synth, saying what to change', (_name, tier, mode, why) => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.customChallenge(), requireAdminMfa: true }, poolWith(tier, mode)))
      .toThrow(why);
    expect(() => stackWith({ strategy: ImpersonationStrategy.groups(), requireAdminMfa: true }, poolWith(tier, mode)))
      .toThrow(/requireAdminMfa needs a user pool that reports its users' sign-ins .*featurePlan: FeaturePlan.PLUS/);
  });

  test.each([
    ['Plus, audit mode', 'PLUS', 'AUDIT'],
    ['Plus, full-function mode', 'PLUS', 'ENFORCED'],
    ['threat protection on, plan not given', undefined, 'ENFORCED'],
  ])('a pool of the app that reports sign-ins (%s) synthesizes', (_name, tier, mode) => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.groups(), requireAdminMfa: true }, poolWith(tier, mode))).not.toThrow();
  });

  test('without the option the pool is not judged', () => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.groups() }, poolWith('LITE', undefined))).not.toThrow();
  });

  test('an imported pool cannot be judged at synth: it synthesizes, and the broker asks the pool at each start', () => {
    const stack = testStack();
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'UserPool', 'eu-west-1_AbCdEf123');
    const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
      userPool, adminGroupName: 'support-impersonators', strategy: ImpersonationStrategy.groups(), requireAdminMfa: true,
    });
    const template = Template.fromStack(stack);
    const broker = template.findResources('AWS::Lambda::Function')[logicalId(stack, impersonation.brokerFunction!)];
    expect(broker.Properties.Environment.Variables[ENV.REQUIRE_ADMIN_MFA]).toBe('true');
  });
});
