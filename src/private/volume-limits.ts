import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BrokerStateTable } from './broker-state';
import { AUDIT_EVENT, ENV, SOURCE } from './contract';
import type { ImpersonationLimits } from '../volume-limits';

/** The default unusual-volume threshold when no per-admin limit is set: grants by one admin in an hour. */
export const DEFAULT_UNUSUAL_VOLUME_THRESHOLD = 10;

/**
 * What `limits` adds: the broker's counters (in the broker state table, with exactly the
 * action they need) and a Contributor Insights rule over the audit log that counts grants per
 * admin, whose top contributor an alarm watches.
 */
export class VolumeLimitResources extends Construct {
  public readonly rule: cloudwatch.CfnInsightRule;
  /** The most impersonations granted to one admin in an hour (the rule's top contributor). */
  public readonly threshold: number;

  constructor(scope: Construct, id: string, props: {
    limits: ImpersonationLimits;
    broker: lambda.Function;
    logGroup: logs.ILogGroup;
    encryptionKey?: kms.IKey;
  }) {
    super(scope, id);
    const { limits, broker } = props;
    if (limits.maxStartsPerAdminPerHour !== undefined || limits.maxStartsPerTargetPerDay !== undefined) {
      // Both counters move in one TransactWriteItems, which IAM authorizes as UpdateItem per item.
      BrokerStateTable.of(scope, { broker, encryptionKey: props.encryptionKey }).grantBroker('UpdateItem');
      if (limits.maxStartsPerAdminPerHour !== undefined) {
        broker.addEnvironment(ENV.MAX_STARTS_PER_ADMIN_PER_HOUR, String(limits.maxStartsPerAdminPerHour));
      }
      if (limits.maxStartsPerTargetPerDay !== undefined) {
        broker.addEnvironment(ENV.MAX_STARTS_PER_TARGET_PER_DAY, String(limits.maxStartsPerTargetPerDay));
      }
    }
    this.threshold = limits.unusualVolumeThreshold ?? limits.maxStartsPerAdminPerHour ?? DEFAULT_UNUSUAL_VOLUME_THRESHOLD;
    // Events are wrapped by the Lambda runtime's JSON log format: the audit event is `message`.
    this.rule = new cloudwatch.CfnInsightRule(this, 'GrantsPerAdmin', {
      ruleName: Names.uniqueResourceName(this, { maxLength: 128 }),
      ruleState: 'ENABLED',
      ruleBody: Stack.of(this).toJsonString({
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        LogGroupNames: [props.logGroup.logGroupName],
        LogFormat: 'JSON',
        Contribution: {
          Keys: ['$.message.actor.username'],
          Filters: [
            { Match: '$.message.event', In: [AUDIT_EVENT.GRANTED] },
            { Match: '$.message.source', In: [SOURCE.BROKER] },
          ],
        },
        AggregateOn: 'Count',
      }),
    });
  }

  /** The grants of the admin with the most in each period (1 hour by default). */
  public metric(props: cloudwatch.MathExpressionOptions = {}): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `INSIGHT_RULE_METRIC('${this.rule.attrRuleName}', 'MaxContributorValue')`,
      usingMetrics: {},
      label: 'Impersonations granted to the busiest admin',
      period: Duration.hours(1),
      ...props,
    });
  }
}
