import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ENV, STRATEGIES } from './fixtures';
import { CognitoImpersonation, CognitoImpersonationProps, ImpersonationApproval, ImpersonationStrategy } from '../../src';
import { NAG_MAJOR, PackName, nagFindings } from '../nag';

// The construct under cdk-nag 2 (Aspects, `cdk_nag` metadata) and, in the second jest run
// (npx projen test:latest), cdk-nag 3 (a validation plugin reading acknowledgements), with and
// without a fixed account and region. Only the construct's own resources are judged: the
// pool and the key are the test's.

const ENVS: Array<[string, StackProps]> = [
  ['env', { env: ENV }],
  ['no env', {}],
];
const POOLS: Array<[string, (stack: Stack) => cognito.IUserPool]> = [
  ['owned pool', (stack) => new cognito.UserPool(stack, 'UserPool')],
  ['imported pool', (stack) => cognito.UserPool.fromUserPoolId(stack, 'UserPool', 'eu-west-1_AbCdEf123')],
];

/** The construct's findings (paths under Impersonation/), for a configuration. */
function findings(pack: PackName, stackProps: StackProps, configure: (stack: Stack) => CognitoImpersonationProps): string[] {
  return nagFindings(pack, (app: App) => {
    const stack = new Stack(app, 'S', stackProps);
    new CognitoImpersonation(stack, 'Impersonation', configure(stack));
  }).filter((f) => f.startsWith('S/Impersonation/'));
}

describe(`cdk-nag ${NAG_MAJOR}: AwsSolutions, default settings`, () => {
  describe.each(ENVS)('%s', (_env, stackProps) => {
    test.each(STRATEGIES.flatMap(([name, strategy]) => POOLS.map(([pool, makePool]) => [name, pool, strategy, makePool] as const)))(
      '%s, %s: no finding', (_name, _pool, strategy, makePool) => {
        expect(findings('AwsSolutionsChecks', stackProps, (stack) => ({
          userPool: makePool(stack), strategy: strategy(), adminGroupName: 'support-impersonators',
        }))).toEqual([]);
      });
  });
});

/** What a compliance-minded team configures: a customer managed key, somewhere for alarms to go, a cap on the broker. */
function compliant(stack: Stack, strategy: ImpersonationStrategy, userPool: cognito.IUserPool): CognitoImpersonationProps {
  return {
    userPool,
    strategy,
    adminGroupName: 'support-impersonators',
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    alarmActions: [new actions.SnsAction(new sns.Topic(stack, 'Alarms'))],
    brokerReservedConcurrency: 5,
  };
}

describe.each(['NIST80053R5Checks', 'HIPAASecurityChecks', 'PCIDSS321Checks'] as PackName[])(`cdk-nag ${NAG_MAJOR}: %s`, (pack) => {
  describe.each(ENVS)('%s', (_env, stackProps) => {
    test.each(STRATEGIES.flatMap(([name, strategy]) => POOLS.map(([pool, makePool]) => [name, pool, strategy, makePool] as const)))(
      '%s, %s, with a KMS key and alarm actions: no finding', (_name, _pool, strategy, makePool) => {
        expect(findings(pack, stackProps, (stack) => compliant(stack, strategy(), makePool(stack)))).toEqual([]);
      });
  });

  describe.each(ENVS)('%s', (_env, stackProps) => {
    test.each(STRATEGIES.filter(([name]) => name !== 'preTokenGeneration'))('%s with approval and limits (broker state table, Contributor Insights rule): no finding', (_name, strategy) => {
      expect(findings(pack, stackProps, (stack) => ({
        ...compliant(stack, strategy(), new cognito.UserPool(stack, 'UserPool')),
        approval: ImpersonationApproval.required({ approverGroupName: 'support-leads' }),
        limits: { maxStartsPerAdminPerHour: 5, maxStartsPerTargetPerDay: 3 },
      }))).toEqual([]);
    });
  });

  test('with default settings, what is left is fixed by a property: encryptionKey, alarmActions, brokerReservedConcurrency', () => {
    const left = findings(pack, ENVS[1][1], (stack) => ({
      userPool: new cognito.UserPool(stack, 'UserPool'), strategy: ImpersonationStrategy.customChallenge(), adminGroupName: 'support-impersonators',
    }));
    const rules = new Set(left.map((f) => f.replace(/^.*: [^-]+-/, '')));
    const expected = ['CloudWatchLogGroupEncrypted', 'SecretsManagerUsingKMSKey', ...pack === 'PCIDSS321Checks' ? [] : ['CloudWatchAlarmAction', 'LambdaConcurrency']];
    expect([...rules].sort()).toEqual(expected.sort());
    // Concurrency is left to the user on the broker only: the other functions say why they reserve none.
    expect(left.filter((f) => f.endsWith('LambdaConcurrency'))).toEqual(left.filter((f) => f.endsWith('LambdaConcurrency')).length
      ? [expect.stringMatching(/^S\/Impersonation\/Broker\/Function\/Resource: /)] : []);
  });
});
