import { CfnResource, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logsDestinations from 'aws-cdk-lib/aws-logs-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_EVENT, AUDIT_FIELD_PREFIX, ENV } from './private/contract';

/**
 * The audit events that become EventBridge events (lambda-src/events/impersonation-event.ts maps
 * them); an approval request too, so that teams can notify the approvers.
 */
const PUBLISHED = [AUDIT_EVENT.GRANTED, AUDIT_EVENT.ENDED, AUDIT_EVENT.DENIED, AUDIT_EVENT.APPROVAL_REQUESTED];

export interface EventPublishingProps {
  readonly logGroup: logs.ILogGroup;
  readonly eventBus: events.IEventBus;
  /** The publisher (lambda-src/publish-events.lambda.ts), created by the construct like its other functions. */
  readonly publisher: lambda.Function;
  readonly encryptionKey?: kms.IKey;
}

/**
 * Publishes the audit trail's starts, ends and denials to EventBridge. A subscription filter
 * on the audit log group feeds the publisher: the functions that decide are not involved, so
 * a publish never delays, changes or fails a decision.
 *
 * Delivery: CloudWatch Logs invokes the publisher asynchronously; events EventBridge refuses
 * three times, and invocations that fail twice more, land in the dead-letter queue, whose
 * alarm says so.
 */
export class EventPublishing extends Construct {
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventPublishingProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: props.encryptionKey ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // cdk-nag: it is the publisher's dead-letter queue (an on-failure destination, which
    // cdk-nag does not see); a queue behind it would only move the same question one step on.
    (this.deadLetterQueue.node.defaultChild as CfnResource).addMetadata('cdk_nag', {
      rules_to_suppress: [{ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the events publisher (its on-failure destination).' }],
    });

    const fn = props.publisher;
    fn.addEnvironment(ENV.EVENT_BUS, props.eventBus.eventBusArn);
    fn.addEnvironment(ENV.EVENTS_DEAD_LETTER_QUEUE_URL, this.deadLetterQueue.queueUrl);
    props.eventBus.grantPutEventsTo(fn);
    // Exactly what SendMessage needs (SqsDestination would grant kms:ReEncrypt* and GenerateDataKey*).
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    if (props.encryptionKey) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.encryptionKey.keyArn] }));
    }
    const queueArn = this.deadLetterQueue.queueArn;
    fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      // The function's role sends the failed invocation: granted above.
      onFailure: { bind: () => ({ destination: queueArn }) },
    });

    const matches = PUBLISHED.map((e) => `(${AUDIT_FIELD_PREFIX}.event = "${e}")`).join(' || ');
    new logs.SubscriptionFilter(this, 'Subscription', {
      logGroup: props.logGroup,
      destination: new logsDestinations.LambdaDestination(fn),
      filterPattern: logs.FilterPattern.literal(`{ ${matches} }`),
    });
  }

  /** Messages waiting in the dead-letter queue: events that were not delivered. */
  public metricDeadLetters(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(5),
      ...props,
    });
  }
}
