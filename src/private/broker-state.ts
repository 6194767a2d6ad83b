import { RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BROKER_STATE, ENV } from './contract';
import { scopeOf } from './host';
import { stateTable, tableKeyStatement } from './state-table';

/**
 * The broker's own state, for the checks that span requests (approvals, volume limits): one
 * table, items keyed by `pk` with a kind prefix (`BROKER_STATE.PREFIX`), each removed by
 * DynamoDB's TTL (`BROKER_STATE.TTL_ATTRIBUTE`) once it no longer decides anything. Created only
 * when a feature needs it; only the broker reads or writes it, with the actions the features
 * ask for, on this table's ARN.
 */
export class BrokerStateTable extends Construct {
  /** The scope's table (`<scope>/BrokerState`), created by the first feature that asks for it. */
  public static of(scope: Construct, props: { broker: lambda.Function; encryptionKey?: kms.IKey }): BrokerStateTable {
    const existing = scope.node.tryFindChild(BrokerStateTable.ID);
    return existing instanceof BrokerStateTable ? existing : new BrokerStateTable(scope, BrokerStateTable.ID, props);
  }

  /** The scope's table, if a feature created one. */
  public static find(scope: Construct): BrokerStateTable | undefined {
    const existing = scope.node.tryFindChild(BrokerStateTable.ID);
    return existing instanceof BrokerStateTable ? existing : undefined;
  }

  private static readonly ID = 'BrokerState';

  public readonly table: dynamodb.Table;
  private readonly statement: iam.PolicyStatement;
  private readonly actions = new Set<string>();

  private constructor(scope: Construct, id: string, props: { broker: lambda.Function; encryptionKey?: kms.IKey }) {
    super(scope, id);
    const key = props.encryptionKey;
    // RETAIN: the approvals are evidence until the audit log has them all; the table is small.
    this.table = stateTable(this, 'Table', {
      encryptionKey: key,
      timeToLiveAttribute: BROKER_STATE.TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
      noBackupPlanBecause: 'The table holds approvals and counters that decide for minutes to a day, with point-in-time recovery; the audit '
        + 'log is the record of every decision. A backup plan would keep copies of state that no longer decides anything.',
    });

    this.statement = new iam.PolicyStatement({ resources: [this.table.tableArn] });
    const policy = new iam.Policy(scopeOf(props.broker), 'StatePolicy', { roles: [props.broker.role!], statements: [this.statement] });
    if (key) policy.addStatements(tableKeyStatement(this, key));
    props.broker.addEnvironment(ENV.BROKER_STATE_TABLE, this.table.tableName);
  }

  /** Lets the broker use the table with `actions` too (`GetItem`, `UpdateItem`, ...): one statement, each action once. */
  public grantBroker(...actions: string[]): void {
    for (const action of actions) {
      if (this.actions.has(action)) continue;
      this.actions.add(action);
      this.statement.addActions(`dynamodb:${action}`);
    }
  }
}
