import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** What a strategy asks of the construct that hosts it. */
export interface HandlerFunctionOptions {
  /** The handler (`lambda-src/<source>.lambda.ts`), also the `source` of its audit events. */
  readonly source: string;
  readonly description: string;
  /** Added to the common configuration (admin group, protected groups, reason rules). */
  readonly environment?: Record<string, string>;
}

/**
 * The services CognitoImpersonation offers its strategy: functions that log to the audit
 * trail and are watched by alarms, pool-scoped policies, and trigger wiring.
 */
export interface ImpersonationHost {
  readonly userPool: cognito.IUserPool;
  addFunction(scope: Construct, id: string, options: HandlerFunctionOptions): lambda.Function;
  addPoolPolicy(scope: Construct, id: string, fn: lambda.Function, ...statements: iam.PolicyStatement[]): void;
  attachTrigger(operation: cognito.UserPoolOperation, fn: lambda.IFunction, lambdaVersion?: cognito.LambdaVersion): void;
}
