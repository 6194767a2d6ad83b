import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** What a strategy asks of the construct that hosts it. */
export interface HandlerFunctionOptions {
  /** The handler (`lambda-src/<source>.lambda.ts`), also the `source` of its audit events. */
  readonly source: string;
  readonly description: string;
  /** Added to the common configuration (admin group, protected groups, reason rules). */
  readonly environment?: Record<string, string>;
  /** @default 5 seconds (Cognito's limit for triggers) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /**
   * A trigger that refuses by throwing (Cognito's only way to refuse): its errors alarm
   * subtracts the denials it wrote.
   * @default false
   */
  readonly refusesByThrowing?: boolean;
}

/** An alarm on a metric derived from the audit events. */
export interface AuditAlarmOptions {
  readonly metricName: string;
  /** A CloudWatch Logs JSON filter condition, without braces. */
  readonly condition: string;
  readonly threshold: number;
  readonly description: string;
}

/**
 * The services CognitoImpersonation offers its strategy: functions that log to the audit
 * trail and are watched by alarms, pool-scoped policies, trigger wiring and audit alarms.
 */
export interface ImpersonationHost {
  /** Where the strategy defines its resources: the CognitoImpersonation construct. */
  readonly scope: Construct;
  readonly userPool: cognito.IUserPool;
  /** The construct's KMS key, if one was given (audit log, signing key secret). */
  readonly encryptionKey?: kms.IKey;
  /**
   * A function with its own role, logging to the audit trail, watched by alarms: all of it
   * in a scope of its own named `id` (`<id>/Role`, `<id>/Function`, `<id>/ErrorsAlarm`, ...),
   * where the function's other resources belong too (see `scopeOf`).
   */
  addFunction(id: string, options: HandlerFunctionOptions): lambda.Function;
  /**
   * A policy of its own (`<id>/Policy`, not the role's default one) on the function's role:
   * what depends on the function's permissions (the pool, through its trigger) can depend on it.
   */
  addPoolPolicy(fn: lambda.Function, ...statements: iam.PolicyStatement[]): iam.Policy;
  attachTrigger(operation: cognito.UserPoolOperation, fn: lambda.IFunction, lambdaVersion?: cognito.LambdaVersion): void;
  addAuditAlarm(id: string, options: AuditAlarmOptions): cloudwatch.IAlarm;
  /** A metric filter condition on an audit event field (`$.message.<field> = "<value>"`). */
  auditCondition(field: string, value: string): string;
}

/** The scope `addFunction` created for a function: where the function's own resources belong. */
export function scopeOf(fn: lambda.IFunction): Construct {
  return fn.node.scope as Construct;
}

/** What a strategy created that the construct exposes. */
export interface StrategyResources {
  readonly brokerFunction?: lambda.IFunction;
  readonly impersonationClient?: cognito.IUserPoolClient;
  readonly signingKey?: secretsmanager.ISecret;
  readonly challengeFailureAlarm?: cloudwatch.IAlarm;
  readonly keyRotationFailureAlarm?: cloudwatch.IAlarm;
  readonly endSessionFunction?: lambda.IFunction;
  readonly sessionScheduleGroupName?: string;
}
