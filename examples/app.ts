/**
 * A runnable CDK app: a new user pool with support-staff impersonation.
 *
 *   npx projen example                                           # preTokenGeneration
 *   EXAMPLE_STRATEGY=customChallenge npx projen example          # the broker strategy
 *   EXAMPLE_STRATEGY=groups npx projen example                   # time-boxed group sessions
 *
 * Deploy it with the CDK CLI (`npx cdk deploy --app cdk.out`) in an account of yours.
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
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

const strategies: Record<string, () => ImpersonationStrategy> = {
  preTokenGeneration: () => ImpersonationStrategy.preTokenGeneration(),
  customChallenge: () => ImpersonationStrategy.customChallenge(),
  groups: () => ImpersonationStrategy.groups(),
};
const strategyName = process.env.EXAMPLE_STRATEGY ?? 'preTokenGeneration';
if (!strategies[strategyName]) {
  throw new Error(`EXAMPLE_STRATEGY must be one of ${Object.keys(strategies).join(', ')}`);
}

const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
  userPool,
  strategy: strategies[strategyName](),
  adminGroupName: 'support-impersonators',
  protectedGroupNames: ['finance-admins'],
});

if (impersonation.brokerFunction) {
  // The support console's backend: may call the broker, which still checks the admin's own token.
  const supportConsole = new iam.Role(stack, 'SupportConsoleRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Backend of the support console',
  });
  impersonation.grantImpersonate(supportConsole);
  new CfnOutput(stack, 'BrokerFunctionName', { value: impersonation.brokerFunction.functionName });
}
if (impersonation.sessionScheduleGroupName) {
  new CfnOutput(stack, 'SessionScheduleGroup', { value: impersonation.sessionScheduleGroupName });
}

new CfnOutput(stack, 'UserPoolId', { value: userPool.userPoolId });
new CfnOutput(stack, 'ClientId', { value: client.userPoolClientId });
new CfnOutput(stack, 'AuditLogGroup', { value: impersonation.auditLogGroup.logGroupName });

const assembly = app.synth();
console.log(summarize(assembly.getStackByName(stack.stackName), assembly.directory));
