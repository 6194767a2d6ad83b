/**
 * Deployable integration test: one stack per strategy, each with its own user pool, and an
 * assertion that performs a real impersonation end to end in AWS (sign an admin in,
 * impersonate, check the claim or the groups, end).
 *
 * - In CI (no AWS): `npx projen integ:snapshot` synthesizes this app and fails if it differs
 *   from the committed snapshot (test/integ/integ.impersonation.js.snapshot/).
 * - With an AWS account: `npx projen integ:deploy` deploys the stacks, runs the assertions,
 *   destroys everything, and updates the snapshot.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CognitoImpersonation, ImpersonationStrategy } from '../../src';

const ADMIN_GROUP = 'support-impersonators';
/** A group only the target is in: what the groups strategy lends the admin. */
const TARGET_GROUP = 'integ-customers';

const app = new App();

/** A stack with a pool, the construct and a driver; returns the stack and its driver. */
function strategyStack(name: string, strategy: ImpersonationStrategy): { stack: Stack; driver: lambda.IFunction } {
  const stack = new Stack(app, `CognitoImpersonationInteg-${name}`);
  const userPool = new cognito.UserPool(stack, 'UserPool', {
    // Essentials (the default plan of a new pool): Pre Token Generation V2_0.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new cognito.CfnUserPoolGroup(stack, 'AdminGroup', { userPoolId: userPool.userPoolId, groupName: ADMIN_GROUP });
  new cognito.CfnUserPoolGroup(stack, 'TargetGroup', { userPoolId: userPool.userPoolId, groupName: TARGET_GROUP });
  // How the support console's admins sign in (not the construct's client).
  const consoleClient = userPool.addClient('ConsoleClient', { authFlows: { adminUserPassword: true }, disableOAuth: true });

  const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
    userPool,
    strategy,
    adminGroupName: ADMIN_GROUP,
    auditLogRemovalPolicy: RemovalPolicy.DESTROY,
  });

  // The driver plays the support console: it creates a fresh admin and target, impersonates,
  // checks the outcome, ends, and deletes both users. It throws on any failed check.
  const driver = new lambda.Function(stack, 'Driver', {
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'driver.handler',
    code: lambda.Code.fromAsset(path.join(__dirname, 'driver')),
    timeout: Duration.minutes(2),
    environment: {
      STRATEGY: name,
      USER_POOL_ID: userPool.userPoolId,
      CLIENT_ID: consoleClient.userPoolClientId,
      ADMIN_GROUP,
      TARGET_GROUP,
      BROKER: impersonation.brokerFunction?.functionName ?? '',
    },
  });
  driver.addToRolePolicy(new iam.PolicyStatement({
    actions: [
      'cognito-idp:AdminCreateUser', 'cognito-idp:AdminDeleteUser', 'cognito-idp:AdminSetUserPassword',
      'cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminListGroupsForUser', 'cognito-idp:AdminInitiateAuth',
      'cognito-idp:AdminRespondToAuthChallenge', 'cognito-idp:AdminUserGlobalSignOut',
    ],
    resources: [userPool.userPoolArn],
  }));
  if (impersonation.brokerFunction) impersonation.grantImpersonate(driver);

  return { stack, driver };
}

const cases = {
  preTokenGeneration: strategyStack('preTokenGeneration', ImpersonationStrategy.preTokenGeneration()),
  customChallenge: strategyStack('customChallenge', ImpersonationStrategy.customChallenge()),
  groups: strategyStack('groups', ImpersonationStrategy.groups()),
};
const integ = new IntegTest(app, 'CognitoImpersonation', {
  testCases: Object.values(cases).map((c) => c.stack),
  // Asset hashes change with every handler change; the templates are what the snapshot guards.
  diffAssets: false,
});
for (const [name, { driver }] of Object.entries(cases)) {
  integ.assertions
    .invokeFunction({ functionName: driver.functionName })
    .expect(ExpectedResult.objectLike({ Payload: Match.stringLikeRegexp(`impersonation verified: ${name}`) }));
}

app.synth();
