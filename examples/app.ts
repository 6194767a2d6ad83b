/**
 * A runnable CDK app: a new user pool with support-staff impersonation.
 *
 *   npx projen example     # synthesizes into cdk.out/ and prints what was created
 *
 * Deploy it with the CDK CLI (`npx cdk deploy --app cdk.out`) in an account of yours.
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { summarize } from './summary';
import { CognitoImpersonation, ImpersonationStrategy } from '../src';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'CognitoImpersonationExample');

const userPool = new cognito.UserPool(stack, 'UserPool', {
  signInAliases: { email: true },
  mfa: cognito.Mfa.OPTIONAL,
  mfaSecondFactor: { otp: true, sms: false },
});
// V2_0 trigger events (claims in access tokens) need the Essentials or Plus feature plan.
(userPool.node.defaultChild as cognito.CfnUserPool).addPropertyOverride('UserPoolTier', 'ESSENTIALS');

// The app client a support console signs in with (SRP passes ClientMetadata to the trigger).
const client = userPool.addClient('SupportConsoleClient', { authFlows: { userSrp: true } });

// Who may impersonate, and a group whose members nobody may impersonate.
new cognito.CfnUserPoolGroup(stack, 'SupportGroup', { userPoolId: userPool.userPoolId, groupName: 'support-impersonators' });
new cognito.CfnUserPoolGroup(stack, 'FinanceGroup', { userPoolId: userPool.userPoolId, groupName: 'finance-admins' });

const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
  userPool,
  strategy: ImpersonationStrategy.preTokenGeneration(),
  adminGroupName: 'support-impersonators',
  protectedGroupNames: ['finance-admins'],
});

new CfnOutput(stack, 'UserPoolId', { value: userPool.userPoolId });
new CfnOutput(stack, 'ClientId', { value: client.userPoolClientId });
new CfnOutput(stack, 'AuditLogGroup', { value: impersonation.auditLogGroup.logGroupName });

const assembly = app.synth();
console.log(summarize(assembly.getStackByName(stack.stackName), assembly.directory));
