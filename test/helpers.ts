import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { CognitoImpersonation, CognitoImpersonationProps } from '../src';

/** A stack with a user pool and the construct, configured by `props`. */
export function stackWith(props: Partial<CognitoImpersonationProps> & Pick<CognitoImpersonationProps, 'strategy'>) {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const userPool = new cognito.UserPool(stack, 'UserPool');
  const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
    userPool,
    adminGroupName: 'support-impersonators',
    ...props,
  });
  return { app, stack, userPool, impersonation, template: () => Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } } | unknown): string {
  const child = (construct as any).node?.defaultChild ?? construct;
  return stack.getLogicalId(child);
}
