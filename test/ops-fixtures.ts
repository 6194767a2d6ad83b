import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { testStack } from './helpers';
import { CognitoImpersonation, ImpersonationStrategy, type CognitoImpersonationProps } from '../src';

export const STRATEGIES: Record<string, () => ImpersonationStrategy> = {
  preTokenGeneration: () => ImpersonationStrategy.preTokenGeneration(),
  customChallenge: () => ImpersonationStrategy.customChallenge(),
  groups: () => ImpersonationStrategy.groups(),
};

/**
 * A stack (`OpsStack`) with a user pool and the construct, for the operations tools' tests:
 * unlike `stackWith`, it synthesizes only when `template()` is called, after the test has
 * added a dashboard or alarms of its own.
 */
export function opsStack(strategy: string, props: Partial<CognitoImpersonationProps> | ((stack: Stack) => Partial<CognitoImpersonationProps>) = {}) {
  const stack = testStack('OpsStack');
  const userPool = new cognito.UserPool(stack, 'UserPool');
  const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
    userPool,
    adminGroupName: 'support-impersonators',
    strategy: STRATEGIES[strategy](),
    ...(typeof props === 'function' ? props(stack) : props),
  });
  return { stack, userPool, impersonation, template: () => Template.fromStack(stack) };
}

/**
 * A resource's value with its tokens written as `<token>`: a Fn::Join of strings and
 * references (a dashboard body, an ARN) read as the text it will be.
 */
export function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
  return '<token>';
}

/** The logical id of a template's only resource of a type. */
export function onlyId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0];
}
