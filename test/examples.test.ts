import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { summarize } from '../examples/summary';
import { CognitoImpersonation, ImpersonationStrategy } from '../src';

test('the example summary names the trigger, the function, the audit log group and every alarm', () => {
  const app = new App();
  const stack = new Stack(app, 'Example');
  new CognitoImpersonation(stack, 'Impersonation', {
    userPool: new cognito.UserPool(stack, 'UserPool'),
    strategy: ImpersonationStrategy.preTokenGeneration({ lambdaVersion: cognito.LambdaVersion.V1_0 }),
    adminGroupName: 'admins',
  });
  const assembly = app.synth();
  const summary = summarize(assembly.getStackByName('Example'), assembly.directory);

  expect(summary).toMatch(/UserPool\w+\.PreTokenGenerationConfig \(V1_0\) -> ImpersonationPreTokenGenerationFunction\w+/);
  expect(summary).toMatch(/ImpersonationPreTokenGenerationFunction\w+: nodejs22\.x arm64, logs JSON -> ImpersonationAuditTrailLogGroup\w+/);
  expect(summary).toMatch(/retention 365 days, Retain on removal/);
  expect(summary.match(/^ {2}\S+Alarm\w*: >= \d+ in 5 min/gm)).toHaveLength(4);
});
