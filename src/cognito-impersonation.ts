import * as path from 'path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_METRIC, AuditTrail, field } from './audit-trail';
import { acknowledgeByDesign, acknowledgeInvocation } from './private/compliance';
import { ENV, LIMITS, PATTERN } from './private/contract';
import { checkEnvironmentSize } from './private/environment-size';
import { type HandlerFunctionOptions, type ImpersonationHost, scopeOf } from './private/host';
import { acknowledgeRules } from './private/nag';
import { checkWholeNumber } from './private/validation';
import { ImpersonationStrategy } from './strategy';
import { TriggerWiring } from './triggers';

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
   * A KMS key to encrypt the audit log group with. For a key defined in the same app, the
   * construct adds the key policy statement CloudWatch Logs needs.
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
   * groups: the function that ends a session. Each session's schedule invokes it at expiry;
   * an operator may invoke it with a session's schedule Input to end that session early.
   */
  public readonly endSessionFunction?: lambda.IFunction;

  /**
   * groups: the name of the EventBridge Scheduler schedule group that holds one one-time
   * schedule per active session. A schedule's Input is its session, and it fires at the
   * session's expiry.
   */
  public readonly sessionScheduleGroupName?: string;

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
   * The CloudWatch namespace of the audit metrics.
   */
  public readonly metricNamespace: string;

  private readonly auditTrail: AuditTrail;
  private readonly encryptionKey?: kms.IKey;
  private readonly strategyName: string;
  private readonly functionsByName = new Map<string, lambda.Function>();

  constructor(scope: Construct, id: string, props: CognitoImpersonationProps) {
    super(scope, id);
    validateProps(props);

    const protectedGroupNames = [...new Set([props.adminGroupName, ...props.protectedGroupNames ?? []])];
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
      addFunction: (fnId, options) => this.addFunction(this, fnId, options, commonEnvironment),
      addPoolPolicy: (fn, ...statements) => new iam.Policy(scopeOf(fn), 'Policy', { roles: [fn.role!], statements }),
      attachTrigger: (operation, fn, lambdaVersion) => triggers.attach(operation, fn, lambdaVersion),
      addAuditAlarm: (alarmId, o) => this.auditTrail.addEventAlarm(alarmId, o.metricName, o.condition, o.threshold, o.description),
      auditCondition: (name, value) => `${field(name)} = "${value}"`,
    };
    const resources = props.strategy._bind(host);
    this.brokerFunction = resources.brokerFunction;
    this.impersonationClient = resources.impersonationClient;
    this.signingKey = resources.signingKey;
    this.challengeFailureAlarm = resources.challengeFailureAlarm;
    this.keyRotationFailureAlarm = resources.keyRotationFailureAlarm;
    this.endSessionFunction = resources.endSessionFunction;
    this.sessionScheduleGroupName = resources.sessionScheduleGroupName;

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
      deadLetterQueue: options.invocation.asynchronous ? this.deadLetterQueue(scope, id) : undefined,
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
  checkRange('brokerReservedConcurrency', props.brokerReservedConcurrency, 1, Number.MAX_SAFE_INTEGER);
}
