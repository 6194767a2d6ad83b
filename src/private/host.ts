import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
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
  /** Who invokes the function: decides its dead-letter queue and reserved concurrency. */
  readonly invocation: FunctionInvocation;
}

/**
 * Who invokes a function, which decides its safeguards: an asynchronously invoked function
 * gets a dead-letter queue (encrypted, alarmed); reserved concurrency where a cap protects
 * something. What a function does not have is recorded, with the reason, for cdk-nag's
 * NIST 800-53 R5 and HIPAA packs (LambdaDLQ, LambdaConcurrency).
 */
export interface FunctionInvocation {
  /** Who invokes it, as the reasons name it ("Cognito, as a user pool trigger"). */
  readonly by: string;
  /** Invoked asynchronously (no caller waits for the result): failed events go to a dead-letter queue. */
  readonly asynchronous: boolean;
  /**
   * For an asynchronous function whose failed events are kept by an on-failure destination
   * of its own (a queue shared with other senders): why, recorded for cdk-nag (LambdaDLQ).
   * The function then gets no dead-letter queue of its own.
   * @default - an asynchronous function gets a dead-letter queue of its own
   */
  readonly deadLetteredBy?: string;
  /** @default - no reserved concurrency */
  readonly reservedConcurrency?: number;
  /**
   * Why the function reserves no concurrency, recorded for cdk-nag.
   * @default - no record: the finding is the user's to settle (the broker: brokerReservedConcurrency)
   */
  readonly unreservedBecause?: string;
}

/** The invocations of the construct's functions. */
export const INVOCATION = {
  /** Cognito invokes triggers synchronously, in every sign-in of the pool. */
  TRIGGER: {
    by: 'Cognito, as a user pool trigger',
    asynchronous: false,
    unreservedBecause: 'A user pool trigger runs in every sign-in of the pool: a concurrency cap of its own would throttle '
      + 'ordinary users\' sign-ins, which this construct must never break.',
  },
  /** Secrets Manager invokes a rotation function synchronously, four steps per rotation. */
  ROTATION: {
    by: 'Secrets Manager, as the rotation function',
    asynchronous: false,
    unreservedBecause: 'Invoked by Secrets Manager a few times per rotation, one rotation at a time: nothing to cap.',
  },
  /** CloudFormation invokes custom resource handlers asynchronously, once per deployment change. */
  CUSTOM_RESOURCE: {
    by: 'CloudFormation, as a custom resource',
    asynchronous: true,
    unreservedBecause: 'Invoked by CloudFormation when the stack changes, one event at a time: nothing to cap.',
  },
  /** EventBridge Scheduler invokes its targets asynchronously, at each session's expiry. */
  SCHEDULE: {
    by: 'EventBridge Scheduler, at a session\'s expiry',
    asynchronous: true,
    unreservedBecause: 'Session expiries are spread over time and retried by EventBridge Scheduler when throttled; a '
      + 'cap would only delay the removal of borrowed groups.',
  },
} as const satisfies Record<string, FunctionInvocation>;

/** The broker: invoked synchronously by support tooling; a cap is the user's choice (brokerReservedConcurrency). */
export function brokerInvocation(reservedConcurrency?: number): FunctionInvocation {
  return { by: 'support tooling, as the broker', asynchronous: false, reservedConcurrency };
}

/** An alarm on a metric derived from the audit events. */
export interface AuditAlarmOptions {
  readonly metricName: string;
  /** A CloudWatch Logs JSON filter condition, without braces. */
  readonly condition: string;
  readonly threshold: number;
  readonly description: string;
}

/** An alarm on any metric. */
export interface MetricAlarmOptions {
  readonly metric: cloudwatch.IMetric;
  /** Goes off at this value or more, in one 5-minute period. */
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
  /** The construct's KMS key, if one was given (audit log, signing key secret, dead-letter queues). */
  readonly encryptionKey?: kms.IKey;
  /** The broker's reserved concurrency (brokerReservedConcurrency), if any. */
  readonly brokerReservedConcurrency?: number;
  /**
   * Pool actions the broker needs beyond its strategy's own, granted with them on the pool's ARN
   * (requireAdminMfa: `cognito-idp:AdminListUserAuthEvents`); empty by default.
   */
  readonly brokerPoolActions: readonly string[];
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
  /** An alarm (`<scope>/<id>`) on any metric, with the construct's alarm actions, listed in its `alarms`. */
  addAlarm(scope: Construct, id: string, options: MetricAlarmOptions): cloudwatch.IAlarm;
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
  readonly keyRotationFunction?: lambda.IFunction;
  readonly endSessionFunction?: lambda.IFunction;
  readonly sessionScheduleGroupName?: string;
  readonly sessionTable?: dynamodb.ITable;
  readonly sessionDeadLetterQueue?: sqs.IQueue;
  readonly sessionDeadLetterAlarm?: cloudwatch.IAlarm;
  readonly sessionEndFailureAlarm?: cloudwatch.IAlarm;
}
