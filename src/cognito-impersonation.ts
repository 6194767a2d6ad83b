import * as path from 'path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ImpersonationApproval } from './approval';
import { AuditDashboard } from './audit-dashboard';
import { EventPublishing } from './audit-events';
import { saveAuditQueries } from './audit-queries';
import { AUDIT_METRIC, AuditTrail, deadLetterMetric, field } from './audit-trail';
import type { ImpersonationDashboardOptions } from './dashboard-options';
import { BrokerStateTable } from './private/broker-state';
import { acknowledgeByDesign, acknowledgeInvocation } from './private/compliance';
import { DENIAL_REASON, ENV, LIMITS, PATTERN, SOURCE, STRATEGY } from './private/contract';
import { checkEnvironmentSize } from './private/environment-size';
import { type HandlerFunctionOptions, type ImpersonationHost, scopeOf } from './private/host';
import { acknowledgeRules } from './private/nag';
import { checkUserPoolReportsSignIns } from './private/user-pool-checks';
import { checkWholeNumber } from './private/validation';
import { VolumeLimitResources } from './private/volume-limits';
import { CUSTOM_CHALLENGE_METRIC } from './strategies/custom-challenge';
import { ImpersonationStrategy } from './strategy';
import { TriggerWiring } from './triggers';
import type { ImpersonationLimits } from './volume-limits';

/**
 * Properties of a CognitoImpersonation.
 */
export interface CognitoImpersonationProps {
  /**
   * The user pool whose users support staff may impersonate.
   *
   * A `cognito.UserPool` defined in the same CDK app gets its triggers through
   * `addTrigger`. A pool imported with `UserPool.fromUserPoolId` / `fromUserPoolArn` gets
   * them through a custom resource that changes only the pool's trigger configuration
   * (see the README's "Existing user pools").
   */
  readonly userPool: cognito.IUserPool;

  /**
   * Imported user pools only: replace a trigger another function already holds in a slot
   * the strategy needs, instead of failing the deployment. The replaced function is
   * recorded and put back when the construct is removed.
   *
   * Replacing is only possible when the attachment is created; an update that needs a
   * slot held by another function fails either way.
   *
   * @default false - a slot held by another function fails the deployment, naming the slot and the function
   */
  readonly replaceExistingTriggers?: boolean;

  /**
   * Imported user pools that send SMS (`SmsConfiguration` with an IAM role): that role.
   *
   * UpdateUserPool hands the pool's SMS role back to Cognito, which IAM authorizes as
   * `iam:PassRole` by the caller. With this set, the function that attaches the triggers
   * may pass exactly this role, and only to Cognito. Without it, attaching to such a pool
   * fails with an error that names the role.
   *
   * @default - the function may pass no role
   */
  readonly userPoolSmsRole?: iam.IRole;

  /**
   * How impersonation works, for example `ImpersonationStrategy.preTokenGeneration()`.
   */
  readonly strategy: ImpersonationStrategy;

  /**
   * The Cognito group whose members may impersonate. The construct does not create it.
   *
   * Members of this group can never be impersonated: an impersonator never becomes
   * another admin.
   */
  readonly adminGroupName: string;

  /**
   * Groups whose members can never be impersonated, in addition to `adminGroupName`.
   *
   * @default - only the admin group is protected
   */
  readonly protectedGroupNames?: string[];

  /**
   * Whether every impersonation request must give a reason (a ticket id or free text),
   * which is written to the audit trail.
   *
   * @default true
   */
  readonly requireReason?: boolean;

  /**
   * The longest reason accepted, in characters (1 to 1024).
   *
   * @default 256
   */
  readonly maxReasonLength?: number;

  /**
   * How long the audit log group keeps events.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly auditLogRetention?: logs.RetentionDays;

  /**
   * What happens to the audit log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN - audit logs outlive the stack
   */
  readonly auditLogRemovalPolicy?: RemovalPolicy;

  /**
   * A KMS key to encrypt the audit log group with; also the customChallenge signing key's
   * secret, and the groups session table, its dead-letter queue and the payload of its
   * schedules. For a key defined in the same app, the construct adds the key policy statement
   * CloudWatch Logs needs; the functions' and the schedules' roles get what they use of it.
   *
   * @default - encrypted with a key owned by CloudWatch Logs
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The CloudWatch namespace of the metrics derived from the audit trail.
   *
   * @default "CognitoImpersonation"
   */
  readonly metricNamespace?: string;

  /**
   * The denied-requests alarm goes off when at least this many impersonation requests are
   * denied within 5 minutes.
   *
   * @default 5
   */
  readonly deniedAlarmThreshold?: number;

  /**
   * The protected-target alarm goes off when at least this many attempts to impersonate a
   * member of a protected group are made within 5 minutes.
   *
   * @default 1
   */
  readonly protectedTargetAlarmThreshold?: number;

  /**
   * A function's errors alarm goes off when it fails at least this many times within
   * 5 minutes. Refused impersonations are not counted as failures.
   *
   * @default 1
   */
  readonly functionErrorsAlarmThreshold?: number;

  /**
   * Actions for every alarm the construct creates (for example an SNS topic action).
   *
   * @default - no actions
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * Names every alarm the construct creates `<prefix>-<what it watches>`, for example
   * `Support-Impersonation-Denied` or `Support-Impersonation-Broker-Errors`. Alarm names are
   * unique in an account and region: give each construct its own prefix. At most 200
   * characters, no control characters.
   *
   * @default - CloudFormation generates the names
   */
  readonly alarmNamePrefix?: string;

  /**
   * Whether to save Logs Insights queries for audits on the audit log group (impersonations
   * of a user, by an admin, denials by reason, the latest ones, for groups the open
   * sessions, and with `approval` the approval requests), in the folder
   * `cdk-cognito-impersonation/<construct path>`.
   *
   * @default true
   */
  readonly savedQueries?: boolean;

  /**
   * Whether to publish every impersonation started, ended and denied as an EventBridge event
   * (`source` `cdk-cognito-impersonation`; detail types `Impersonation Started`,
   * `Impersonation Ended`, `Impersonation Denied`, and with `approval` also
   * `Impersonation Approval Requested`, to notify the approvers), to `eventBus`. Published from the audit
   * log by a function of its own: a publish never delays or fails a decision. Events that
   * cannot be delivered are kept in `eventsDeadLetterQueue`, and `eventsDeadLetterAlarm` goes off.
   *
   * @default - true when `eventBus` is given, false otherwise
   */
  readonly publishEvents?: boolean;

  /**
   * The EventBridge bus the events go to.
   *
   * @default - the account's default event bus (when `publishEvents` is true)
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Concurrency reserved for the broker (customChallenge, groups): at most this many
   * impersonation requests run at once, which also bounds the Cognito calls they make
   * (compliance packs such as NIST 800-53 R5 and HIPAA ask for a limit).
   *
   * Reserved concurrency is taken from the account's pool, and Lambda keeps at least 100
   * unreserved: an account with the initial concurrency quota cannot reserve any, which is
   * why there is no default.
   *
   * @default - no reserved concurrency
   */
  readonly brokerReservedConcurrency?: number;

  /**
   * Step-up for the broker (customChallenge, groups): a `start` is refused (denial reason
   * `SignInTooOld`, broker error `SignInAgain`) when the admin's access token comes from a
   * sign-in older than this. The age is the token's `auth_time`, which refreshing the token
   * keeps, so only a new sign-in (with MFA, if the pool requires it) renews it. Ending and
   * listing sessions are never refused for it. Whole minutes, from 1 minute to 1 day.
   * preTokenGeneration has no broker: setting this with it is an error.
   *
   * @default - no limit: any valid access token of an admin may start an impersonation
   */
  readonly maxAdminAuthAge?: Duration;

  /**
   * Volume limits for the broker (customChallenge, groups): at most so many starts per admin
   * per hour and impersonations of one user per day, refused with a typed error and audited,
   * plus an alarm (`unusualVolumeAlarm`) when one admin is granted unusually many
   * impersonations in an hour. The counters live in the broker state table
   * (`brokerStateTable`). preTokenGeneration has no broker: setting this with it is an error.
   *
   * @default - no limits and no unusual-volume alarm
   */
  readonly limits?: ImpersonationLimits;

  /**
   * Step-up MFA for the broker (customChallenge, groups): a `start` is refused (denial reason
   * `MfaRequired`, broker error `SignInAgain`) unless the admin's access token comes from a
   * sign-in that passed MFA. Cognito's access tokens do not say how the user signed in, so the
   * broker asks the pool: it reads the admin's latest sign-in events
   * (`AdminListUserAuthEvents`, one more Cognito request per start, allowed to the broker on the
   * pool only) and requires the sign-in of the token's `auth_time` to hold a successful MFA
   * challenge. Ending and listing sessions are never refused for it. Combine it with
   * `maxAdminAuthAge` to also bound how old that sign-in may be.
   *
   * Only threat protection logs sign-ins: the pool must be on the Plus feature plan (priced per
   * monthly active user, above Essentials) with threat protection in audit or full-function mode
   * (`AdvancedSecurityMode` `AUDIT` or `ENFORCED`). A pool defined in the app that cannot report
   * them fails at synth; for any other pool every start is refused (`Misconfigured`) until it can.
   * preTokenGeneration has no broker: setting this with it is an error.
   *
   * @default false - a sign-in without MFA may start an impersonation
   */
  readonly requireAdminMfa?: boolean;

  /**
   * Four-eyes approval of impersonations, for the strategies with a broker (customChallenge, groups).
   *
   * For example `ImpersonationApproval.required({ approverGroupName: 'support-leads' })`: a `start` then
   * answers with a pending request, which another person in the approver group approves or
   * rejects through the broker (`approve`, `reject`, `pending`), and the requester completes the
   * start with the approval. The approver group is protected like `protectedGroupNames`.
   * Requests are kept in the broker state table (`brokerStateTable`). preTokenGeneration has no
   * broker: setting this with it is an error. See the README ("Approval (four-eyes)").
   *
   * @default - no approval: an admin's `start` is granted at once
   */
  readonly approval?: ImpersonationApproval;
}

/**
 * Safe, audited support-staff impersonation for an Amazon Cognito user pool.
 *
 * Creates the strategy's Lambda functions (each with its own least-privilege role), wires
 * them into the pool, and records every decision as one structured event in an audit log
 * group, with metrics and alarms derived from it.
 */
export class CognitoImpersonation extends Construct {
  /**
   * The log group every function of the construct writes its audit events to.
   */
  public readonly auditLogGroup: logs.ILogGroup;

  /**
   * Every alarm the construct created.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  /**
   * Goes off when denied impersonation requests reach `deniedAlarmThreshold` in 5 minutes.
   */
  public readonly deniedAlarm: cloudwatch.IAlarm;

  /**
   * Goes off on attempts to impersonate a member of a protected group.
   */
  public readonly protectedTargetAlarm: cloudwatch.IAlarm;

  /**
   * Every Lambda function the construct created.
   */
  public readonly functions: lambda.IFunction[];

  /**
   * The Pre Token Generation trigger, when the strategy uses one.
   */
  public readonly preTokenGenerationFunction?: lambda.IFunction;

  /**
   * The broker that support tooling invokes to impersonate, when the strategy has one
   * (customChallenge, groups). Use `grantImpersonate` to let a principal invoke it.
   */
  public readonly brokerFunction?: lambda.IFunction;

  /**
   * groups: the function that ends a session. Each session's schedule invokes it at expiry
   * with `{ "sessionId", "adminSub" }`; an operator may invoke it with the same JSON to end
   * that session early.
   */
  public readonly endSessionFunction?: lambda.IFunction;

  /**
   * groups: the name of the EventBridge Scheduler schedule group that holds one one-time
   * schedule per session (it fires at the session's expiry) and the sweeper's schedule.
   */
  public readonly sessionScheduleGroupName?: string;

  /**
   * groups: the DynamoDB table of sessions, one item per admin: the record of the groups a
   * session planned to add, written before any is added, which every end removes.
   */
  public readonly sessionTable?: dynamodb.ITable;

  /**
   * groups: where session ends and sweeps go that failed every retry (EventBridge Scheduler
   * deliveries, and the EndSession and sweeper functions' asynchronous invocations).
   */
  public readonly sessionDeadLetterQueue?: sqs.IQueue;

  /**
   * groups: goes off when `sessionDeadLetterQueue` holds a message: borrowed groups may still
   * be on an admin (see the README: "When the dead-letter alarm fires").
   */
  public readonly sessionDeadLetterAlarm?: cloudwatch.IAlarm;

  /**
   * groups: goes off when ending a session failed (an `impersonation.end_failed` event); the
   * end is retried until it succeeds.
   */
  public readonly sessionEndFailureAlarm?: cloudwatch.IAlarm;

  /**
   * customChallenge: the dedicated app client impersonation tokens are issued through
   * (client secret, custom auth only, short token validity, token revocation, no OAuth).
   */
  public readonly impersonationClient?: cognito.IUserPoolClient;

  /**
   * customChallenge: the Secrets Manager secret holding the HMAC key the broker signs its
   * challenge answers with, rotated by the construct.
   */
  public readonly signingKey?: secretsmanager.ISecret;

  /**
   * customChallenge: goes off on failed custom-auth challenges (the strategy's `challengeFailureAlarmThreshold`).
   */
  public readonly challengeFailureAlarm?: cloudwatch.IAlarm;

  /**
   * customChallenge: goes off when a rotation of the signing key fails.
   */
  public readonly keyRotationFailureAlarm?: cloudwatch.IAlarm;

  /**
   * customChallenge: the signing key's rotation function. Besides Secrets Manager's rotation
   * steps, an operator invokes it with `{ "action": "revokePreviousKey" }` to stop accepting the
   * key rotated out last (after an emergency rotation of a leaked key).
   */
  public readonly keyRotationFunction?: lambda.IFunction;

  /**
   * customChallenge and groups: goes off on any broker request with an access token not bound
   * to the live user (`SubMismatch`) and, with customChallenge, a revoked one (`TokenRevoked`):
   * a stolen or stale token is the likely cause. (groups signs the admin out at each session's
   * end, so a revoked token there is usually a console that kept the old one.)
   */
  public readonly suspiciousTokenAlarm?: cloudwatch.IAlarm;

  /**
   * The CloudWatch namespace of the audit metrics.
   */
  public readonly metricNamespace: string;

  /**
   * The saved Logs Insights queries (none with `savedQueries: false`).
   */
  public readonly queryDefinitions: logs.QueryDefinition[];

  /**
   * With `publishEvents`: the queue that keeps the events that could not be delivered to
   * EventBridge, each as a `PutEvents` entry ready to be replayed.
   */
  public readonly eventsDeadLetterQueue?: sqs.IQueue;

  /**
   * With `publishEvents`: goes off when an event could not be delivered (a message waits in
   * `eventsDeadLetterQueue`).
   */
  public readonly eventsDeadLetterAlarm?: cloudwatch.IAlarm;

  /**
   * With `limits`: goes off when one admin is granted `unusualVolumeThreshold` impersonations
   * or more within an hour (a Contributor Insights rule over the audit log, keyed by admin).
   */
  public readonly unusualVolumeAlarm?: cloudwatch.IAlarm;

  /**
   * The broker's state across requests (pending approvals, volume counters), when `approval`
   * or `limits` is set: one item per approval request and per counter window, each removed by
   * DynamoDB's time to live once it no longer decides anything.
   */
  public readonly brokerStateTable?: dynamodb.ITable;

  private readonly auditTrail: AuditTrail;
  private readonly volumeLimits?: VolumeLimitResources;
  private readonly approvalEnabled: boolean;
  private readonly events?: EventPublishing;
  private dashboard?: cloudwatch.Dashboard;
  private readonly encryptionKey?: kms.IKey;
  private readonly strategyName: string;
  private readonly functionsByName = new Map<string, lambda.Function>();

  constructor(scope: Construct, id: string, props: CognitoImpersonationProps) {
    super(scope, id);
    validateProps(props);

    const approval = props.approval?._bind();
    this.approvalEnabled = approval !== undefined;
    // The approver group is protected: no admin borrows it (groups) or impersonates an approver to approve their own request.
    const approverGroups = approval ? [approval.approverGroupName] : [];
    const protectedGroupNames = [...new Set([props.adminGroupName, ...props.protectedGroupNames ?? [], ...approverGroups])];
    const commonEnvironment: Record<string, string> = {
      [ENV.ADMIN_GROUP]: props.adminGroupName,
      [ENV.PROTECTED_GROUPS]: JSON.stringify(protectedGroupNames),
      [ENV.REQUIRE_REASON]: String(props.requireReason ?? true),
      [ENV.MAX_REASON_LENGTH]: String(props.maxReasonLength ?? LIMITS.DEFAULT_MAX_REASON_LENGTH),
    };

    this.strategyName = props.strategy.strategyName;
    this.encryptionKey = props.encryptionKey;
    this.metricNamespace = props.metricNamespace ?? 'CognitoImpersonation';
    this.auditTrail = new AuditTrail(this, 'AuditTrail', {
      retention: props.auditLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.auditLogRemovalPolicy ?? RemovalPolicy.RETAIN,
      encryptionKey: props.encryptionKey,
      metricNamespace: this.metricNamespace,
      deniedAlarmThreshold: props.deniedAlarmThreshold ?? 5,
      protectedTargetAlarmThreshold: props.protectedTargetAlarmThreshold ?? 1,
      functionErrorsAlarmThreshold: props.functionErrorsAlarmThreshold ?? 1,
      alarmActions: props.alarmActions ?? [],
      alarmNamePrefix: props.alarmNamePrefix,
    });
    this.auditLogGroup = this.auditTrail.logGroup;

    const triggers = new TriggerWiring(this, {
      userPool: props.userPool,
      replaceExistingTriggers: props.replaceExistingTriggers ?? false,
      userPoolSmsRole: props.userPoolSmsRole,
      strategyName: this.strategyName,
      addFunction: (fnScope, fnId, options) => this.addFunction(fnScope, fnId, options, commonEnvironment),
    });
    const host: ImpersonationHost = {
      scope: this,
      userPool: props.userPool,
      encryptionKey: props.encryptionKey,
      brokerReservedConcurrency: props.brokerReservedConcurrency,
      brokerPoolActions: props.requireAdminMfa ? ['cognito-idp:AdminListUserAuthEvents'] : [],
      addFunction: (fnId, options) => this.addFunction(this, fnId, options, commonEnvironment),
      addPoolPolicy: (fn, ...statements) => new iam.Policy(scopeOf(fn), 'Policy', { roles: [fn.role!], statements }),
      attachTrigger: (operation, fn, lambdaVersion) => triggers.attach(operation, fn, lambdaVersion),
      addAuditAlarm: (alarmId, o) => this.auditTrail.addEventAlarm(alarmId, o.metricName, o.condition, o.threshold, o.description),
      addAlarm: (alarmScope, alarmId, o) => this.auditTrail.addMetricAlarm(
        alarmScope, alarmId, `${alarmScope.node.id}-${alarmId}`, o.metric, o.threshold, o.description),
      auditCondition: (name, value) => `${field(name)} = "${value}"`,
    };
    const resources = props.strategy._bind(host);
    this.brokerFunction = resources.brokerFunction;
    this.impersonationClient = resources.impersonationClient;
    this.signingKey = resources.signingKey;
    this.challengeFailureAlarm = resources.challengeFailureAlarm;
    this.keyRotationFailureAlarm = resources.keyRotationFailureAlarm;
    this.keyRotationFunction = resources.keyRotationFunction;
    if (props.maxAdminAuthAge !== undefined) {
      const broker = this.brokerFor('maxAdminAuthAge');
      broker.addEnvironment(ENV.MAX_ADMIN_AUTH_AGE_SECONDS, String(props.maxAdminAuthAge.toSeconds()));
    }
    if (props.limits !== undefined) {
      const broker = this.brokerFor('limits');
      this.volumeLimits = new VolumeLimitResources(this, 'VolumeLimits', {
        limits: props.limits,
        broker,
        logGroup: this.auditTrail.logGroup,
        encryptionKey: props.encryptionKey,
      });
      this.unusualVolumeAlarm = host.addAlarm(this.volumeLimits, 'UnusualVolumeAlarm', {
        metric: this.volumeLimits.metric(),
        threshold: this.volumeLimits.threshold,
        description: `Impersonation: one admin was granted ${this.volumeLimits.threshold} or more impersonations within an hour. `
          + 'See the Contributor Insights rule for who; the audit log for what.',
      });
    }
    if (props.requireAdminMfa) {
      const broker = this.brokerFor('requireAdminMfa');
      // The broker's policy already allows AdminListUserAuthEvents on the pool (host.brokerPoolActions).
      broker.addEnvironment(ENV.REQUIRE_ADMIN_MFA, 'true');
      checkUserPoolReportsSignIns(this, props.userPool);
    }
    if (approval) {
      const broker = this.brokerFor('approval');
      for (const [name, value] of Object.entries(approval.environment)) broker.addEnvironment(name, value);
      // Exactly what lambda-src/approval/approval-store.ts calls, on the state table only.
      BrokerStateTable.of(this, { broker, encryptionKey: props.encryptionKey }).grantBroker('PutItem', 'GetItem', 'UpdateItem', 'Scan');
    }
    if (resources.brokerFunction) {
      // The groups strategy signs the admin out when a session ends: a revoked token there is
      // most likely a console that kept the old one, not an attack.
      const suspicious = this.strategyName === STRATEGY.GROUPS
        ? [DENIAL_REASON.SUB_MISMATCH]
        : [DENIAL_REASON.TOKEN_REVOKED, DENIAL_REASON.SUB_MISMATCH];
      this.suspiciousTokenAlarm = host.addAuditAlarm('SuspiciousTokens', {
        metricName: AUDIT_METRIC.SUSPICIOUS_TOKENS,
        condition: suspicious.map((reason) => `(${host.auditCondition('denialReason', reason)})`).join(' || '),
        threshold: 1,
        description: `Impersonation: the broker was called with ${suspicious.length > 1 ? 'a revoked access token, or ' : ''}`
          + 'an access token not bound to the live user (stolen or stale token).',
      });
    }
    this.endSessionFunction = resources.endSessionFunction;
    this.sessionScheduleGroupName = resources.sessionScheduleGroupName;
    this.sessionTable = resources.sessionTable;
    this.sessionDeadLetterQueue = resources.sessionDeadLetterQueue;
    this.sessionDeadLetterAlarm = resources.sessionDeadLetterAlarm;
    this.sessionEndFailureAlarm = resources.sessionEndFailureAlarm;

    const publishEvents = props.publishEvents ?? props.eventBus !== undefined;
    if (publishEvents) {
      const publisher = this.addFunction(this, 'EventsPublisher', {
        source: SOURCE.PUBLISH_EVENTS,
        description: 'Publishes impersonation starts, ends and denials from the audit log to EventBridge',
        timeout: Duration.seconds(30),
        invocation: {
          by: 'CloudWatch Logs, as the audit log group\'s subscription',
          asynchronous: true,
          deadLetteredBy: 'its failed deliveries go to the events dead-letter queue, alarmed',
          unreservedBecause: 'Invoked by the audit log\'s subscription in batches; a cap would only delay events.',
        },
      }, {});
      this.events = new EventPublishing(this, 'Events', {
        logGroup: this.auditTrail.logGroup,
        eventBus: props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default'),
        publisher,
        encryptionKey: props.encryptionKey,
      });
      this.eventsDeadLetterQueue = this.events.deadLetterQueue;
      this.eventsDeadLetterAlarm = this.auditTrail.addMetricAlarm(this.events, 'Alarm', 'EventsDeadLetters', this.events.metricDeadLetters(), 1,
        'Impersonation: events could not be delivered to EventBridge; they wait in the dead-letter queue.');
    }
    this.queryDefinitions = props.savedQueries === false ? []
      : saveAuditQueries(this, this.auditTrail.logGroup, this.strategyName, { approval: approval !== undefined });

    this.brokerStateTable = BrokerStateTable.find(this)?.table;
    this.functions = [...this.functionsByName.values()];
    this.preTokenGenerationFunction = this.functionsByName.get('PreTokenGeneration');
    this.alarms = this.auditTrail.alarms;
    this.deniedAlarm = this.auditTrail.deniedAlarm;
    this.protectedTargetAlarm = this.auditTrail.protectedTargetAlarm;
    acknowledgeByDesign(this);
  }

  /**
   * Lets a principal (a support console's role) invoke the broker, which is the only way to
   * impersonate with the customChallenge and groups strategies. The broker still requires the
   * admin's own Cognito access token: IAM decides which tool may ask, Cognito decides who asks.
   *
   * @param grantee the principal to grant `lambda:InvokeFunction` on the broker to
   */
  public grantImpersonate(grantee: iam.IGrantable): iam.Grant {
    if (!this.brokerFunction) {
      throw new Error(`CognitoImpersonation: the ${this.strategyName} strategy has no broker to grant access to`);
    }
    return this.brokerFunction.grantInvoke(grantee);
  }

  /**
   * The number of impersonations granted, summed over 5 minutes by default.
   *
   * @param props metric options (period, statistic, ...)
   */
  public metricGranted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.auditTrail.metric(AUDIT_METRIC.GRANTED, props);
  }

  /**
   * With `limits`: the impersonations granted to the admin with the most of them, per hour by
   * default (the top contributor of the construct's Contributor Insights rule), which
   * `unusualVolumeAlarm` watches.
   *
   * @param props metric options (period, label, ...)
   */
  public metricMaxGrantsByOneAdmin(props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    if (!this.volumeLimits) throw new Error('CognitoImpersonation: metricMaxGrantsByOneAdmin needs the limits prop');
    return this.volumeLimits.metric(props);
  }

  /**
   * The number of impersonation requests denied, summed over 5 minutes by default.
   *
   * @param props metric options (period, statistic, ...)
   */
  public metricDenied(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.auditTrail.metric(AUDIT_METRIC.DENIED, props);
  }

  /**
   * The number of attempts to impersonate a member of a protected group, summed over
   * 5 minutes by default.
   *
   * @param props metric options (period, statistic, ...)
   */
  public metricProtectedTargetAttempts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.auditTrail.metric(AUDIT_METRIC.PROTECTED_TARGET_ATTEMPTS, props);
  }

  /**
   * customChallenge: the number of failed custom-auth challenges (a wrong client, a forged,
   * replayed or expired assertion), summed over 5 minutes by default: what
   * `challengeFailureAlarm` watches.
   *
   * @param props metric options (period, statistic, ...)
   */
  public metricChallengeFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    this.requireStrategy(STRATEGY.CUSTOM_CHALLENGE, 'metricChallengeFailures');
    return this.auditTrail.metric(CUSTOM_CHALLENGE_METRIC.CHALLENGE_FAILURES, props);
  }

  /**
   * customChallenge: the number of failed rotations of the signing key, summed over
   * 5 minutes by default: what `keyRotationFailureAlarm` watches.
   *
   * @param props metric options (period, statistic, ...)
   */
  public metricKeyRotationFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    this.requireStrategy(STRATEGY.CUSTOM_CHALLENGE, 'metricKeyRotationFailures');
    return this.auditTrail.metric(CUSTOM_CHALLENGE_METRIC.KEY_ROTATION_FAILURES, props);
  }

  /**
   * With `publishEvents`: the number of events waiting in `eventsDeadLetterQueue` (events
   * that could not be delivered), the maximum over 5 minutes by default: what
   * `eventsDeadLetterAlarm` watches.
   *
   * @param props metric options (period, statistic, ...)
   */
  public metricEventsDeadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.events) throw new Error('CognitoImpersonation: metricEventsDeadLetters needs publishEvents (or an eventBus)');
    return this.events.metricDeadLetters(props);
  }

  /**
   * customChallenge and groups: the number of broker requests refused because the admin's
   * access token was not bound to the live user (and, with customChallenge, was revoked),
   * summed over 5 minutes by default: what `suspiciousTokenAlarm` watches.
   *
   * @param props metric options (period, statistic, ...)
   */
  public metricSuspiciousTokens(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.suspiciousTokenAlarm) throw new Error(`CognitoImpersonation: metricSuspiciousTokens needs a strategy with a broker, not ${this.strategyName}`);
    return this.auditTrail.metric(AUDIT_METRIC.SUSPICIOUS_TOKENS, props);
  }

  /**
   * groups: the number of sessions whose end failed (`impersonation.end_failed`), summed over
   * 5 minutes by default: what `sessionEndFailureAlarm` watches.
   *
   * @param props metric options (period, statistic, ...)
   */
  public metricSessionEndFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    this.requireStrategy(STRATEGY.GROUPS, 'metricSessionEndFailures');
    return this.auditTrail.metric(AUDIT_METRIC.SESSION_END_FAILURES, props);
  }

  /**
   * groups: the number of session ends and sweeps waiting in `sessionDeadLetterQueue`, the
   * maximum over 5 minutes by default: what `sessionDeadLetterAlarm` watches.
   *
   * @param props metric options (period, statistic, ...)
   */
  public metricSessionDeadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    this.requireStrategy(STRATEGY.GROUPS, 'metricSessionDeadLetters');
    return deadLetterMetric(this.sessionDeadLetterQueue!, props);
  }

  /**
   * The events waiting in the dead-letter queue of one of the construct's asynchronously
   * invoked functions that has a queue of its own (a custom resource's, for example), the
   * maximum over 5 minutes by default: what its dead-letters alarm watches.
   *
   * @param fn one of `functions`, with a dead-letter queue of its own
   * @param props metric options (period, statistic, ...)
   */
  public metricFunctionDeadLetters(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    this.metricsOf(fn);
    const queue = (fn as lambda.Function).deadLetterQueue;
    if (!queue) throw new Error(`CognitoImpersonation: ${fn.node.path} has no dead-letter queue of its own`);
    return deadLetterMetric(queue, props);
  }

  /**
   * The errors of one of the construct's functions (`functions`), summed over 5 minutes:
   * what its errors alarm watches. For a trigger that refuses by throwing, its refusals
   * (already counted as denials) are subtracted, so this is a math expression.
   *
   * @param fn one of `functions`
   */
  public metricFunctionErrors(fn: lambda.IFunction): cloudwatch.IMetric {
    return this.metricsOf(fn).errors;
  }

  /**
   * The throttles of one of the construct's functions (`functions`), summed over 5 minutes
   * by default: what its throttles alarm watches.
   *
   * @param fn one of `functions`
   * @param props metric options (period, statistic, ...)
   */
  public metricFunctionThrottles(fn: lambda.IFunction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const throttles = this.metricsOf(fn).throttles;
    return props ? throttles.with(props) : throttles;
  }

  /**
   * Adds a CloudWatch dashboard for the on-call engineer: alarm states; impersonations
   * granted and denied, denials by reason and top actors; function errors and throttles;
   * the strategy's own row (customChallenge: challenge failures and key rotations; groups:
   * open sessions); and the latest impersonations. See the README ("Dashboard").
   *
   * @param options name and default time range
   * @returns the dashboard (one per construct)
   */
  public addDashboard(options: ImpersonationDashboardOptions = {}): cloudwatch.Dashboard {
    if (this.dashboard) throw new Error('CognitoImpersonation: this construct already has a dashboard');
    const functions = this.functions.map((fn) => ({ fn, ...this.metricsOf(fn) }));
    this.dashboard = new AuditDashboard(this, 'Dashboard', {
      logGroup: this.auditTrail.logGroup,
      strategy: this.strategyName,
      granted: this.metricGranted({ label: 'Granted' }),
      denied: this.metricDenied({ label: 'Denied' }),
      challengeFailures: this.strategyName === STRATEGY.CUSTOM_CHALLENGE ? this.metricChallengeFailures({ label: 'Challenge failures' }) : undefined,
      keyRotationFailures: this.strategyName === STRATEGY.CUSTOM_CHALLENGE ? this.metricKeyRotationFailures({ label: 'Key rotation failures' }) : undefined,
      functions,
      alarms: this.alarms,
      approval: this.approvalEnabled,
      busiestAdmin: this.volumeLimits && { metric: this.volumeLimits.metric({ label: 'Busiest admin' }), threshold: this.volumeLimits.threshold },
    }, options).dashboard;
    return this.dashboard;
  }

  /** The broker, for a prop only the strategies with one accept: a clear error for the others. */
  private brokerFor(prop: string): lambda.Function {
    const broker = this.functionsByName.get('Broker');
    if (!broker) throw new Error(`CognitoImpersonation: ${prop} needs a strategy with a broker (customChallenge, groups), not ${this.strategyName}`);
    return broker;
  }

  private metricsOf(fn: lambda.IFunction) {
    const metrics = this.auditTrail.functionMetrics.get(fn);
    if (!metrics) throw new Error(`CognitoImpersonation: ${fn.node.path} is not a function of this construct`);
    return metrics;
  }

  private requireStrategy(strategy: string, method: string): void {
    if (this.strategyName !== strategy) {
      throw new Error(`CognitoImpersonation: ${method} is a metric of the ${strategy} strategy, not of ${this.strategyName}`);
    }
  }

  private addFunction(parent: Construct, id: string, options: HandlerFunctionOptions, common: Record<string, string>): lambda.Function {
    // One scope per function, for everything that is the function's own.
    const scope = new Construct(parent, id);
    // Its own role: only what this function calls is granted to it, nothing inherited.
    const role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${options.description} (cdk-cognito-impersonation)`,
    });
    const fn = new lambda.Function(scope, 'Function', {
      description: options.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'lambda-src', `${options.source}.lambda`)),
      role,
      // Cognito waits 5 seconds for a trigger.
      timeout: options.timeout ?? Duration.seconds(5),
      memorySize: options.memorySize ?? 256,
      environment: { ...common, ...options.environment },
      reservedConcurrentExecutions: options.invocation.reservedConcurrency,
      deadLetterQueue: options.invocation.asynchronous && !options.invocation.deadLetteredBy ? this.deadLetterQueue(scope, id) : undefined,
      logGroup: this.auditTrail.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      // START/END/REPORT lines would drown the audit events.
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    });
    this.auditTrail.logGroup.grantWrite(role);
    this.auditTrail.watchFunction(scope, id, fn, options.refusesByThrowing ? options.source : undefined);
    checkEnvironmentSize(fn, id);
    acknowledgeInvocation(fn, options.invocation);
    this.functionsByName.set(id, fn);
    return fn;
  }

  /**
   * Where an asynchronously invoked function's failed events go once Lambda's retries are
   * spent: kept 14 days, encrypted (with encryptionKey when given), TLS only, and alarmed.
   */
  private deadLetterQueue(scope: Construct, name: string): sqs.Queue {
    const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: this.encryptionKey ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
    });
    acknowledgeRules(queue, {
      id: 'AwsSolutions-SQS3',
      reason: `This queue is the dead-letter queue of the ${name} function (its DeadLetterConfig), not a queue that needs one.`,
    });
    this.auditTrail.watchDeadLetterQueue(scope, name, queue);
    return queue;
  }
}

function validateProps(props: CognitoImpersonationProps): void {
  const groups: Array<[string, string]> = [
    ['adminGroupName', props.adminGroupName],
    ...(props.protectedGroupNames ?? []).map((g): [string, string] => ['protectedGroupNames', g]),
  ];
  for (const [name, value] of groups) {
    if (!Token.isUnresolved(value) && !PATTERN.GROUP_NAME.test(value ?? '')) {
      throw new Error(`CognitoImpersonation: ${name} '${value}' is not a valid Cognito group name (1-128 visible characters, no spaces)`);
    }
  }
  const checkRange = (name: string, value: number | undefined, min: number, max: number) =>
    checkWholeNumber('CognitoImpersonation', name, value, min, max);
  checkRange('maxReasonLength', props.maxReasonLength, 1, LIMITS.MAX_REASON_LENGTH);
  checkRange('deniedAlarmThreshold', props.deniedAlarmThreshold, 1, Number.MAX_SAFE_INTEGER);
  checkRange('protectedTargetAlarmThreshold', props.protectedTargetAlarmThreshold, 1, Number.MAX_SAFE_INTEGER);
  checkRange('functionErrorsAlarmThreshold', props.functionErrorsAlarmThreshold, 1, Number.MAX_SAFE_INTEGER);
  const prefix = props.alarmNamePrefix;
  // eslint-disable-next-line no-control-regex
  if (prefix !== undefined && !Token.isUnresolved(prefix) && (prefix.length < 1 || prefix.length > 200 || /[\u0000-\u001f\u007f]/.test(prefix))) {
    throw new Error('CognitoImpersonation: alarmNamePrefix must be 1 to 200 characters without control characters');
  }
  if (props.publishEvents === false && props.eventBus) {
    throw new Error('CognitoImpersonation: publishEvents is false but an eventBus is given; drop one of them');
  }
  checkRange('brokerReservedConcurrency', props.brokerReservedConcurrency, 1, Number.MAX_SAFE_INTEGER);
  checkRange('limits.maxStartsPerAdminPerHour', props.limits?.maxStartsPerAdminPerHour, 1, LIMITS.MAX_VOLUME_LIMIT);
  checkRange('limits.maxStartsPerTargetPerDay', props.limits?.maxStartsPerTargetPerDay, 1, LIMITS.MAX_VOLUME_LIMIT);
  checkRange('limits.unusualVolumeThreshold', props.limits?.unusualVolumeThreshold, 1, Number.MAX_SAFE_INTEGER);
  const authAge = props.maxAdminAuthAge;
  if (authAge !== undefined && !Token.isUnresolved(authAge.toMinutes({ integral: false }))) {
    const minutes = authAge.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < LIMITS.MIN_ADMIN_AUTH_AGE_MINUTES || minutes > LIMITS.MAX_ADMIN_AUTH_AGE_MINUTES) {
      throw new Error(`CognitoImpersonation: maxAdminAuthAge must be whole minutes from 1 minute to 1 day, got ${authAge.toHumanString()}`);
    }
  }
}
