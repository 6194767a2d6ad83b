import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeRules, inCompliancePacks } from './nag';

/** A table of the construct's short-lived state (sessions, approvals, counters). */
export interface StateTableProps {
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly timeToLiveAttribute?: string;
  /** Why the table needs no backup plan, recorded for the compliance packs (DynamoDBInBackupPlan). */
  readonly noBackupPlanBecause: string;
}

/**
 * A table keyed by `pk` for state that decides for minutes to a day: on-demand capacity,
 * encrypted with the construct's key when given, point-in-time recovery on.
 */
export function stateTable(scope: Construct, id: string, props: StateTableProps): dynamodb.Table {
  const key = props.encryptionKey;
  const table = new dynamodb.Table(scope, id, {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: key ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.DEFAULT,
    encryptionKey: key,
    timeToLiveAttribute: props.timeToLiveAttribute,
    removalPolicy: props.removalPolicy,
  });
  // Point-in-time recovery on the L1: the L2's pointInTimeRecovery is deprecated in newer
  // aws-cdk-lib, and its replacement does not exist at our peer minimum.
  (table.node.defaultChild as dynamodb.CfnTable).pointInTimeRecoverySpecification = { pointInTimeRecoveryEnabled: true };
  acknowledgeRules(table, ...inCompliancePacks('DynamoDBInBackupPlan', props.noBackupPlanBecause));
  return table;
}

/** What a function needs of the key to read and write a table's items: through DynamoDB only. */
export function tableKeyStatement(scope: Construct, key: kms.IKey): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(scope).region}.amazonaws.com` } },
  });
}
