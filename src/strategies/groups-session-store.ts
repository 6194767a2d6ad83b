import { ArnFormat, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_METRIC, deadLetterMetric } from '../audit-trail';
import { AUDIT_EVENT, ENV, SOURCE } from '../private/contract';
import { INVOCATION, type ImpersonationHost, scopeOf } from '../private/host';
import { acknowledgeRules, acknowledgeWildcardResources } from '../private/nag';
import { stateTable, tableKeyStatement } from '../private/state-table';

/**
 * The durable parts of the groups strategy's session lifecycle: the session table, the
 * dead-letter queue of everything that ends sessions (and its alarm), the recurring sweeper,
 * and the custom resource that ends every session when the construct is deleted. Every
 * grant names its actions and resources; nothing here uses a wildcard action.
 */

/** How often the sweeper runs, and so how late a missed end can be found. */
export const SWEEP_INTERVAL = Duration.minutes(5);
/** Functions that claim sessions run at most this long (the sweeper, EndSession, the broker). */
export const SESSION_FUNCTION_TIMEOUT = Duration.seconds(60);
/** The custom resource that ends every session on delete may wait for leases to pass. */
const END_ALL_TIMEOUT = Duration.minutes(10);

/** A claim outlives the function that holds it, so that a dead holder never comes back. */
export function leaseSecondsFor(timeout: Duration): string {
  return String(timeout.toSeconds() + 60);
}

export interface SessionStoreProps {
  readonly host: ImpersonationHost;
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
}

/** What the session store created. */
export class SessionStore extends Construct {
  public readonly table: dynamodb.Table;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.IAlarm;
  public readonly endFailureAlarm: cloudwatch.IAlarm;
  /** `schedule/<group>/*`: the session schedules and the sweeper's. */
  public readonly schedulesArn: string;
  /** The role EventBridge Scheduler runs every schedule of the group with. */
  public readonly schedulerRole: iam.Role;
  private readonly host: ImpersonationHost;

  constructor(scope: Construct, id: string, props: SessionStoreProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.host = props.host;
    const key = props.host.encryptionKey;

    // One item per admin, minutes-long: on-demand capacity; point-in-time recovery so that an
    // operator can see what a session held after an accident. DESTROY: the custom resource
    // below ends every session before the table goes, so nothing the table records is left
    // to undo, and the audit log (retained) is the history.
    this.table = stateTable(this, 'Table', {
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
      noBackupPlanBecause: 'The table holds only the open sessions (minutes to hours each), with point-in-time recovery; the audit log is the '
        + 'record of every session. A backup plan would keep copies of state that is meaningless once the session ends.',
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: key ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeRules(this.deadLetterQueue, {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the session schedules and of the functions that end sessions.',
    });
    this.deadLetterAlarm = props.host.addAlarm(this, 'DeadLetterAlarm', {
      metric: deadLetterMetric(this.deadLetterQueue),
      threshold: 1,
      description: 'Impersonation (groups): a session end or sweep could not be delivered or failed every retry. '
        + 'Borrowed groups may still be on an admin: see the README, "When the dead-letter alarm fires".',
    });
    this.endFailureAlarm = props.host.addAuditAlarm('SessionEndFailures', {
      metricName: AUDIT_METRIC.SESSION_END_FAILURES,
      condition: props.host.auditCondition('event', AUDIT_EVENT.END_FAILED),
      threshold: 1,
      description: 'Impersonation (groups): ending a session failed; it is retried (Lambda, then the sweeper every 5 minutes).',
    });

    this.schedulesArn = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${props.scheduleGroup.ref}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // What the schedules run as: may invoke the construct's session functions, nothing else,
    // only for this group's schedules.
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': props.scheduleGroup.attrArn,
        },
      }),
      description: 'EventBridge Scheduler ends impersonation sessions with this role (cdk-cognito-impersonation)',
    });
    this.schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    if (key) {
      // Scheduler decrypts the payload of this group's schedules with the execution role
      // (Scheduler user guide, "Encryption at rest", execution role permissions).
      this.schedulerRole.addToPolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:scheduler:schedule:arn': this.schedulesArn } },
      }));
      this.allowQueueKey(this.schedulerRole);
    }
  }

  /** Lets a function of the lifecycle use the table with exactly `actions` (`<fn>/TablePolicy`). */
  public grantTable(fn: lambda.Function, actions: string[]): iam.Policy {
    const policy = new iam.Policy(scopeOf(fn), 'TablePolicy', {
      roles: [fn.role!],
      statements: [new iam.PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [this.table.tableArn] })],
    });
    const key = this.host.encryptionKey;
    if (key) policy.addStatements(tableKeyStatement(this, key));
    return policy;
  }

  /**
   * Lets a function act on the group's schedules (`<fn>/SchedulesPolicy`); one that creates
   * them may also pass the scheduler role, and encrypt their payload with the construct's key
   * (the Scheduler user guide's identity-based permissions for customer managed keys:
   * DescribeKey, GenerateDataKey, Decrypt; here only through Scheduler and for this group).
   */
  public grantSchedules(fn: lambda.Function, actions: string[], options: { createsSchedules?: boolean } = {}): iam.Policy {
    const policy = new iam.Policy(scopeOf(fn), 'SchedulesPolicy', {
      roles: [fn.role!],
      statements: [new iam.PolicyStatement({ actions, resources: [this.schedulesArn] })],
    });
    const key = this.host.encryptionKey;
    if (options.createsSchedules) {
      policy.addStatements(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }));
      if (key) {
        const viaScheduler = { 'kms:ViaService': `scheduler.${Stack.of(this).region}.amazonaws.com` };
        policy.addStatements(
          new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [key.keyArn], conditions: { StringEquals: viaScheduler } }),
          new iam.PolicyStatement({
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [key.keyArn],
            conditions: {
              StringEquals: viaScheduler,
              ArnLike: { 'kms:EncryptionContext:aws:scheduler:schedule:arn': this.schedulesArn },
            },
          }),
        );
      }
    }
    acknowledgeScheduleWildcard(policy);
    return policy;
  }

  /** Lets the group's schedules invoke `fn`. */
  public invokedBySchedules(fn: lambda.Function): void {
    this.schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
  }

  /**
   * Lambda retries an asynchronous invocation (Scheduler invokes asynchronously) twice, then
   * sends it here. Granted explicitly: SqsDestination would grant wildcard KMS actions.
   */
  public deadLetter(fn: lambda.Function): void {
    new lambda.EventInvokeConfig(scopeOf(fn), 'AsyncConfig', {
      function: fn,
      retryAttempts: 2,
      onFailure: { bind: () => ({ destination: this.deadLetterQueue.queueArn }) },
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    if (this.host.encryptionKey) this.allowQueueKey(fn.role!);
  }

  /** The recurring schedule that runs the sweeper. */
  public scheduleSweeper(scheduleGroup: scheduler.CfnScheduleGroup, sweeper: lambda.Function): scheduler.CfnSchedule {
    this.invokedBySchedules(sweeper);
    return new scheduler.CfnSchedule(this, 'SweeperSchedule', {
      groupName: scheduleGroup.ref,
      description: 'cdk-cognito-impersonation: ends groups sessions whose expiry was missed',
      scheduleExpression: `rate(${SWEEP_INTERVAL.toMinutes()} minutes)`,
      flexibleTimeWindow: { mode: 'OFF' },
      kmsKeyArn: this.host.encryptionKey?.keyArn,
      target: {
        arn: sweeper.functionArn,
        roleArn: this.schedulerRole.roleArn,
        // A missed sweep is made up by the next one: retry briefly, then dead-letter (alarmed).
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: SWEEP_INTERVAL.toSeconds() },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
  }

  /**
   * The function and custom resource that end every session when the construct is deleted.
   * The caller makes the resource depend on the function's policies (so that they are deleted
   * after it runs) and the broker depend on the resource (so that the broker is gone first).
   */
  public endAllOnDelete(environment: Record<string, string>): { fn: lambda.Function; resource: CustomResource } {
    const fn = this.host.addFunction('EndAllSessions', {
      source: SOURCE.END_ALL_SESSIONS,
      description: 'Ends every groups impersonation session when the construct is deleted',
      environment: { ...environment, [ENV.SESSION_LEASE_SECONDS]: leaseSecondsFor(END_ALL_TIMEOUT) },
      // May wait for a session another function holds (its lease) before ending it.
      timeout: END_ALL_TIMEOUT,
      invocation: INVOCATION.CUSTOM_RESOURCE,
    });
    const resource = new CustomResource(this, 'EndAllOnDelete', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::ImpersonationEndAllSessions',
    });
    resource.node.addDependency(this.table);
    return { fn, resource };
  }

  private allowQueueKey(role: iam.IRole): void {
    // Sending to a queue encrypted with a customer key (SQS developer guide, SSE key permissions).
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [this.host.encryptionKey!.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
    }));
  }
}

/** Any account and region, fixed or the stack's pseudo parameters; this construct's schedule group only. */
const SCHEDULES_OF_GROUP = /^arn:<AWS::Partition>:scheduler:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d{12}):schedule\/<[A-Za-z0-9]+>\/\*$/;

/**
 * cdk-nag: session schedules are created at run time, one per session, so their names are
 * not known at synth time; the policy names the construct's schedule group and nothing
 * wider. Recorded on the policy itself, so that stacks using the construct need no
 * suppression of their own. Only the `schedule/<group>/*` resource is covered.
 */
function acknowledgeScheduleWildcard(policy: iam.Policy): void {
  acknowledgeWildcardResources(policy, SCHEDULES_OF_GROUP,
    'Session schedules are created at run time, one per session: the resource is this construct\'s '
    + 'schedule group (schedule/<group>/*), not any other group.');
}
