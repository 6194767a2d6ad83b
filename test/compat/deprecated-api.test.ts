import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ENV, STRATEGIES } from './fixtures';
import { CognitoImpersonation } from '../../src';

// Users run `cdk synth` with JSII_DEPRECATED=fail: the construct must call no deprecated
// aws-cdk-lib API. Set before anything is constructed, because aws-cdk-lib reports each
// deprecated API once per process (a warning first would hide the failure). Run against the
// peer minimum and (npx projen test:latest) the latest aws-cdk-lib, which deprecates more.
process.env.JSII_DEPRECATED = 'fail';


describe('no deprecated aws-cdk-lib API: synth with JSII_DEPRECATED=fail', () => {
  test('the setting is in force: a deprecated API throws', () => {
    const stack = new Stack(new App(), 'S');
    const cfn = new cognito.CfnUserPool(stack, 'Cfn');
    // Deprecated since long before the peer minimum; throws only under JSII_DEPRECATED=fail.
    expect(() => cfn.addDependsOn(new cognito.CfnUserPool(stack, 'Other'))).toThrow(/deprecated/i);
  });

  test.each(STRATEGIES.flatMap(([name, strategy]) => [
    [name, 'owned pool', strategy, (stack: Stack) => new cognito.UserPool(stack, 'UserPool')],
    [name, 'imported pool', strategy, (stack: Stack) => cognito.UserPool.fromUserPoolId(stack, 'UserPool', 'eu-west-1_AbCdEf123')],
  ] as const))('%s, %s', (_name, _pool, strategy, makePool) => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new CognitoImpersonation(stack, 'Impersonation', { userPool: makePool(stack), strategy: strategy(), adminGroupName: 'support' });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});
