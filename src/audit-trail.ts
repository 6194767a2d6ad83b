import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_EVENT, AUDIT_FIELD_PREFIX, DENIAL_REASON } from './private/contract';

/** Metric names the audit trail publishes, derived from audit events. */
export const AUDIT_METRIC = {
  GRANTED: 'ImpersonationGranted',
  DENIED: 'ImpersonationDenied',
  PROTECTED_TARGET_ATTEMPTS: 'ProtectedTargetAttempts',
  /** Broker refusals of tokens not bound to the live user (and, with customChallenge, revoked ones). */
  SUSPICIOUS_TOKENS: 'SuspiciousTokens',
  /** groups: `impersonation.end_failed` events. */
  SESSION_END_FAILURES: 'SessionEndFailures',
} as const;

/** @see CognitoImpersonationProps for the meaning and defaults of each. */
export interface AuditTrailProps {
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly encryptionKey?: kms.IKey;
  readonly metricNamespace: string;
  readonly deniedAlarmThreshold: number;
  readonly protectedTargetAlarmThreshold: number;
  readonly functionErrorsAlarmThreshold: number;
  readonly alarmActions: cloudwatch.IAlarmAction[];
  /** When set, each alarm is named `<prefix>-<what it watches>`. */
  readonly alarmNamePrefix?: string;
}

/** What a function's alarms watch: its errors (a trigger's refusals excluded) and throttles. */
export interface FunctionMetrics {
  readonly errors: cloudwatch.IMetric;
  readonly throttles: cloudwatch.Metric;
}

const ALARM_PERIOD = Duration.minutes(5);

/**
 * The audit log group, the metrics derived from its events and the alarms on them and on
 * the construct's functions.
 */
export class AuditTrail extends Construct {
  public readonly logGroup: logs.LogGroup;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly deniedAlarm: cloudwatch.Alarm;
  public readonly protectedTargetAlarm: cloudwatch.Alarm;
  /** The metrics of each function's alarms, for the construct's metric methods and dashboard. */
  public readonly functionMetrics = new Map<lambda.IFunction, FunctionMetrics & { readonly name: string }>();

  constructor(scope: Construct, id: string, private readonly props: AuditTrailProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.retention,
      removalPolicy: props.removalPolicy,
      encryptionKey: props.encryptionKey,
    });
    if (props.encryptionKey) {
      this.allowLogsToUseKey(props.encryptionKey);
    }

    // One scope per metric: its filter and, if any, its alarm.
    this.addMetricFilter(new Construct(this, 'Granted'), 'MetricFilter', AUDIT_METRIC.GRANTED, `${field('event')} = "${AUDIT_EVENT.GRANTED}"`);
    this.deniedAlarm = this.addEventAlarm('Denied', AUDIT_METRIC.DENIED, `${field('event')} = "${AUDIT_EVENT.DENIED}"`,
      props.deniedAlarmThreshold,
      `Impersonation: ${props.deniedAlarmThreshold} or more denied impersonation requests in 5 minutes.`);
    this.protectedTargetAlarm = this.addEventAlarm('ProtectedTargetAttempts', AUDIT_METRIC.PROTECTED_TARGET_ATTEMPTS,
      `${field('event')} = "${AUDIT_EVENT.DENIED}" && ${field('denialReason')} = "${DENIAL_REASON.TARGET_PROTECTED}"`,
      props.protectedTargetAlarmThreshold,
      'Impersonation: an attempt to impersonate a member of a protected group.');
  }

  /** A metric derived from the audit events, summed over 5 minutes. */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.props.metricNamespace,
      metricName,
      statistic: cloudwatch.Stats.SUM,
      period: ALARM_PERIOD,
      ...props,
    });
  }

  /**
   * Alarms on a function's errors and throttles, defined in `scope` (the function's own).
   * For a trigger that refuses by throwing (`refusalSource`), its own denials are
   * subtracted from its errors: a refused impersonation is already counted, and alarmed on,
   * as a denial.
   *
   * @param name the function's name in alarm descriptions
   */
  public watchFunction(scope: Construct, name: string, fn: lambda.IFunction, refusalSource?: string): void {
    let errors: cloudwatch.IMetric = fn.metricErrors({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM });
    if (refusalSource) {
      const refusals = `${AUDIT_METRIC.DENIED}By-${refusalSource}`;
      this.addMetricFilter(scope, 'RefusalsMetricFilter', refusals,
        `${field('event')} = "${AUDIT_EVENT.DENIED}" && ${field('source')} = "${refusalSource}"`);
      errors = new cloudwatch.MathExpression({
        expression: 'errors - FILL(refusals, 0)',
        usingMetrics: { errors, refusals: this.metric(refusals) },
        label: `${name} errors (refusals excluded)`,
        period: ALARM_PERIOD,
      });
    }
    const throttles = fn.metricThrottles({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM });
    this.functionMetrics.set(fn, { name, errors, throttles });
    this.addAlarm(scope, 'ErrorsAlarm', `${name}-Errors`, {
      metric: errors,
      threshold: this.props.functionErrorsAlarmThreshold,
      alarmDescription: `Impersonation: the ${name} function failed (errors other than refused impersonations).`,
    });
    this.addAlarm(scope, 'ThrottlesAlarm', `${name}-Throttles`, {
      metric: throttles,
      threshold: 1,
      alarmDescription: `Impersonation: the ${name} function was throttled.`,
    });
  }

  /** Alarms as soon as a dead-letter queue holds an event (`<scope>/DeadLettersAlarm`): something failed for good. */
  public watchDeadLetterQueue(scope: Construct, name: string, queue: sqs.IQueue): void {
    this.addAlarm(scope, 'DeadLettersAlarm', `${name}-DeadLetters`, {
      metric: deadLetterMetric(queue),
      threshold: 1,
      alarmDescription: `Impersonation: an event of the ${name} function failed after every retry and is in its dead-letter queue.`,
    });
  }

  /** An alarm on a metric derived from audit events matching `condition`: `<id>/MetricFilter` and `<id>/Alarm`. */
  public addEventAlarm(id: string, metricName: string, condition: string, threshold: number, description: string): cloudwatch.Alarm {
    const scope = new Construct(this, id);
    this.addMetricFilter(scope, 'MetricFilter', metricName, condition);
    return this.addAlarm(scope, 'Alarm', id, { metric: this.metric(metricName), threshold, alarmDescription: description });
  }

  /**
   * An alarm of the construct on any metric (a queue's depth, say), defined in `scope` as `id`:
   * with the others' settings, actions and naming (`name` after the prefix).
   */
  public addMetricAlarm(
    scope: Construct, id: string, name: string, metric: cloudwatch.IMetric, threshold: number, description: string,
  ): cloudwatch.Alarm {
    return this.addAlarm(scope, id, name, { metric, threshold, alarmDescription: description });
  }

  private addMetricFilter(scope: Construct, id: string, metricName: string, condition: string): void {
    new logs.MetricFilter(scope, id, {
      logGroup: this.logGroup,
      filterPattern: logs.FilterPattern.literal(`{ ${condition} }`),
      metricNamespace: this.props.metricNamespace,
      metricName,
      metricValue: '1',
    });
  }

  private addAlarm(
    scope: Construct, id: string, name: string, options: { metric: cloudwatch.IMetric; threshold: number; alarmDescription: string },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, {
      ...options,
      alarmName: this.props.alarmNamePrefix === undefined ? undefined : `${this.props.alarmNamePrefix}-${name}`,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No events means nothing happened, not that something is broken.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.props.alarmActions.length > 0) {
      alarm.addAlarmAction(...this.props.alarmActions);
    }
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * CloudWatch Logs needs the key policy to allow it; scoped by encryption context to
   * this account's log groups (the group's own ARN would be a circular reference).
   */
  private allowLogsToUseKey(key: kms.IKey): void {
    const stack = Stack.of(this);
    const result = key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        },
      },
    }), true);
    if (!result.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-cognito-impersonation:importedKey',
        'The audit log encryption key is imported: allow the CloudWatch Logs service principal to use it in its key policy.');
    }
  }
}

/** The JSON path of an audit event field in the log group. */
export function field(name: string): string {
  return `${AUDIT_FIELD_PREFIX}.${name}`;
}

/** How many messages wait in a dead-letter queue: the maximum over the alarm period, unless `props` say otherwise. */
export function deadLetterMetric(queue: sqs.IQueue, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.MAXIMUM, ...props });
}
