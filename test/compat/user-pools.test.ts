import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ENV, STRATEGIES } from './fixtures';
import { CognitoImpersonation, ImpersonationStrategy } from '../../src';
import { assertAcyclic } from '../helpers';

// Realistic user pools, run against the peer minimum of aws-cdk-lib and (npx projen
// test:latest) the latest: a legacy Pre Token Generation trigger, the Lite feature plan,
// and a pool in another stack of the same app.

const WITH_TRIGGER = STRATEGIES.filter(([name]) => name !== 'groups');

function appFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (e) => e;'),
  });
}

describe('a pool that already has a legacy Pre Token Generation trigger', () => {
  describe.each(WITH_TRIGGER)('%s', (_name, strategy) => {
    test('lambdaTriggers.preTokenGeneration: synth fails, naming the legacy trigger', () => {
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      const userPool = new cognito.UserPool(stack, 'UserPool', { lambdaTriggers: { preTokenGeneration: appFunction(stack, 'Legacy') } });
      new CognitoImpersonation(stack, 'Impersonation', { userPool, strategy: strategy(), adminGroupName: 'support' });
      expect(() => app.synth()).toThrow(/legacy Pre Token Generation trigger.*PRE_TOKEN_GENERATION/s);
    });

    test('addTrigger(PRE_TOKEN_GENERATION) after the construct: synth fails as well', () => {
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      const userPool = new cognito.UserPool(stack, 'UserPool');
      new CognitoImpersonation(stack, 'Impersonation', { userPool, strategy: strategy(), adminGroupName: 'support' });
      userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION, appFunction(stack, 'Legacy'));
      expect(() => app.synth()).toThrow(/legacy Pre Token Generation trigger/);
    });
  });

  test('other legacy triggers are fine: only the Pre Token Generation slot is shared', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const userPool = new cognito.UserPool(stack, 'UserPool', { lambdaTriggers: { preSignUp: appFunction(stack, 'PreSignUp') } });
    new CognitoImpersonation(stack, 'Impersonation', { userPool, strategy: ImpersonationStrategy.preTokenGeneration(), adminGroupName: 'support' });
    const [pool] = Object.values(Template.fromStack(stack).findResources('AWS::Cognito::UserPool'));
    const lambdaConfig = pool.Properties.LambdaConfig;
    expect(Object.keys(lambdaConfig).sort()).toEqual(['PreSignUp', 'PreTokenGenerationConfig']);
  });

  test('groups needs no trigger, so a legacy one is left alone', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const userPool = new cognito.UserPool(stack, 'UserPool', { lambdaTriggers: { preTokenGeneration: appFunction(stack, 'Legacy') } });
    new CognitoImpersonation(stack, 'Impersonation', { userPool, strategy: ImpersonationStrategy.groups(), adminGroupName: 'support' });
    expect(() => app.synth()).not.toThrow();
  });
});

/** The ways a pool can be on the Lite plan: `featurePlan` (aws-cdk-lib >= 2.176) or the L1 property. */
const LITE_POOLS: Array<[string, (stack: Stack) => cognito.UserPool]> = [
  ['UserPoolTier override', (stack) => {
    const pool = new cognito.UserPool(stack, 'UserPool');
    (pool.node.defaultChild as cognito.CfnUserPool).addPropertyOverride('UserPoolTier', 'LITE');
    return pool;
  }],
];
const featurePlan = (cognito as any).FeaturePlan;
if (featurePlan) {
  LITE_POOLS.push(['featurePlan: FeaturePlan.LITE', (stack) => new cognito.UserPool(stack, 'UserPool', { featurePlan: featurePlan.LITE } as cognito.UserPoolProps)]);
}

describe.each(LITE_POOLS)('a Lite-plan pool (%s)', (_how, litePool) => {
  test.each([
    ['preTokenGeneration', (v?: cognito.LambdaVersion) => ImpersonationStrategy.preTokenGeneration({ lambdaVersion: v })],
    ['customChallenge', (v?: cognito.LambdaVersion) => ImpersonationStrategy.customChallenge({ lambdaVersion: v })],
  ])('%s with the default V2_0: synth fails, naming lambdaVersion: V1_0', (_name, strategy) => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new CognitoImpersonation(stack, 'Impersonation', { userPool: litePool(stack), strategy: strategy(), adminGroupName: 'support' });
    expect(() => app.synth()).toThrow(/Lite.*lambdaVersion: V1_0/s);
  });

  test('V1_0 synthesizes', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new CognitoImpersonation(stack, 'Impersonation', {
      userPool: litePool(stack),
      strategy: ImpersonationStrategy.preTokenGeneration({ lambdaVersion: cognito.LambdaVersion.V1_0 }),
      adminGroupName: 'support',
    });
    expect(() => app.synth()).not.toThrow();
  });
});

test('a pool on the Essentials plan (or no plan given, which is Essentials for new pools) takes V2_0', () => {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const pool = new cognito.UserPool(stack, 'UserPool');
  (pool.node.defaultChild as cognito.CfnUserPool).addPropertyOverride('UserPoolTier', 'ESSENTIALS');
  new CognitoImpersonation(stack, 'Impersonation', { userPool: pool, strategy: ImpersonationStrategy.preTokenGeneration(), adminGroupName: 'support' });
  expect(() => app.synth()).not.toThrow();
});

describe.each([
  ['with an explicit env', { env: ENV }],
  ['without env (cdk init)', {}],
] as Array<[string, StackProps]>)('a pool in another stack of the same app (Auth stack / Support stack), %s', (_env, stackProps) => {
  function build(strategy: () => ImpersonationStrategy) {
    const app = new App();
    const auth = new Stack(app, 'Auth', stackProps);
    const userPool = new cognito.UserPool(auth, 'UserPool');
    const support = new Stack(app, 'Support', stackProps);
    const impersonation = new CognitoImpersonation(support, 'Impersonation', { userPool, strategy: strategy(), adminGroupName: 'support' });
    return { app, auth, support, impersonation };
  }

  test.each(STRATEGIES)('%s synthesizes without a cyclic reference; Support depends on Auth, never the reverse', (_name, strategy) => {
    const { app, auth, support } = build(strategy);
    const assembly = app.synth();
    expect(support.dependencies.map((s) => s.stackName)).toEqual(['Auth']);
    expect(auth.dependencies).toEqual([]);
    for (const stack of assembly.stacks) assertAcyclic(stack.template);
  });

  test.each(WITH_TRIGGER)('%s: the triggers are attached from the Support stack; the Auth stack\'s pool names none of them', (_name, strategy) => {
    const { auth, support } = build(strategy);
    const pool = Object.values(Template.fromStack(auth).findResources('AWS::Cognito::UserPool'))[0];
    expect(pool.Properties.LambdaConfig).toBeUndefined();
    Template.fromStack(support).resourceCountIs('Custom::CognitoImpersonationTriggers', 1);
  });
});
