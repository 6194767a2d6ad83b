import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * True for a pool this CDK app defines (CloudFormation owns its LambdaConfig), false for
 * one imported with `UserPool.fromUserPoolId` / `fromUserPoolArn`.
 *
 * Duck-typed rather than `instanceof`: an app can hold two copies of aws-cdk-lib.
 */
export function isOwnedUserPool(userPool: cognito.IUserPool): userPool is cognito.UserPool {
  return typeof (userPool as Partial<cognito.UserPool>).addTrigger === 'function';
}

/**
 * Fails early, before any resource is created, when the pool is one whose triggers this
 * version cannot attach.
 */
export function assertTriggersAttachable(userPool: cognito.IUserPool): void {
  if (!isOwnedUserPool(userPool)) {
    throw new Error(
      `CognitoImpersonation: user pool '${userPool.node.path}' is imported (UserPool.fromUserPoolId or fromUserPoolArn). `
      + 'CloudFormation cannot add Lambda triggers to a pool it does not own, and attaching them through a custom '
      + 'resource is not supported yet. Pass a cognito.UserPool defined in the same CDK app.',
    );
  }
}

/**
 * Wires a trigger with `UserPool.addTrigger`, which also grants Cognito permission to
 * invoke the function, scoped to this pool's ARN.
 */
export function attachTrigger(
  userPool: cognito.IUserPool,
  operation: cognito.UserPoolOperation,
  fn: lambda.IFunction,
  lambdaVersion?: cognito.LambdaVersion,
): void {
  assertTriggersAttachable(userPool);
  (userPool as cognito.UserPool).addTrigger(operation, fn, lambdaVersion);
}
