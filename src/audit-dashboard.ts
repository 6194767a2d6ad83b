import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { approvals, denialsByReason, keyRotations, latestImpersonations, openSessions, topActors } from './audit-queries';
import type { ImpersonationDashboardOptions } from './dashboard-options';
import { STRATEGY } from './private/contract';

/** A function of the construct, as the dashboard graphs it. */
export interface DashboardFunction {
  readonly name: string;
  readonly fn: lambda.IFunction;
  /** Its errors as its alarm counts them (a trigger's refusals excluded). */
  readonly errors: cloudwatch.IMetric;
  readonly throttles: cloudwatch.Metric;
}

/** What the dashboard shows: the construct's metrics, functions, alarms and audit log. */
export interface DashboardSources {
  readonly logGroup: logs.ILogGroup;
  readonly strategy: string;
  readonly granted: cloudwatch.IMetric;
  readonly denied: cloudwatch.IMetric;
  readonly challengeFailures?: cloudwatch.IMetric;
  readonly keyRotationFailures?: cloudwatch.IMetric;
  readonly functions: readonly DashboardFunction[];
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** approval is on: the latest approval requests and decisions are listed. */
  readonly approval?: boolean;
  /** limits are on: the busiest admin's grants per hour, against the unusual-volume threshold. */
  readonly busiestAdmin?: { readonly metric: cloudwatch.IMetric; readonly threshold: number };
}

const FULL = 24;
const HALF = 12;
const THIRD = 8;

/**
 * The on-call engineer's view, top to bottom: alarm states; granted and denied over time,
 * denials by reason and top actors; the functions' errors and throttles; the strategy's own
 * row (customChallenge: challenge failures and key rotations; groups: open sessions); with
 * `limits` and `approval`, the busiest admin's grants and the latest approvals; and the latest
 * impersonations. Logs Insights widgets run their query when the dashboard is viewed.
 */
export class AuditDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, sources: DashboardSources, options: ImpersonationDashboardOptions = {}) {
    super(scope, id);
    const logGroupNames = [sources.logGroup.logGroupName];
    const logs = (title: string, query: { toString(): string }, width: number, view: cloudwatch.LogQueryVisualizationType, height = 6) =>
      new cloudwatch.LogQueryWidget({ title, logGroupNames, queryString: query.toString(), view, width, height });

    const rows: cloudwatch.IWidget[][] = [
      [new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...sources.alarms],
        width: FULL,
        height: 3 + Math.ceil(sources.alarms.length / 6),
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
      })],
      [
        new cloudwatch.GraphWidget({
          title: 'Impersonations granted and denied',
          left: [sources.granted, sources.denied],
          leftYAxis: { min: 0, showUnits: false },
          width: THIRD,
          height: 6,
        }),
        logs('Denials by reason', denialsByReason(), THIRD, cloudwatch.LogQueryVisualizationType.BAR),
        logs('Top actors (impersonations granted)', topActors(), THIRD, cloudwatch.LogQueryVisualizationType.BAR),
      ],
      [
        new cloudwatch.GraphWidget({
          title: 'Function errors (refusals excluded)',
          // A trigger's errors are a math expression that carries its own label.
          left: sources.functions.map((f) => (f.errors instanceof cloudwatch.Metric ? f.errors.with({ label: f.name }) : f.errors)),
          leftYAxis: { min: 0, showUnits: false },
          width: HALF,
          height: 6,
        }),
        new cloudwatch.GraphWidget({
          title: 'Function throttles',
          left: sources.functions.map((f) => f.throttles.with({ label: f.name })),
          leftYAxis: { min: 0, showUnits: false },
          width: HALF,
          height: 6,
        }),
      ],
    ];
    if (sources.strategy === STRATEGY.CUSTOM_CHALLENGE) {
      rows.push([
        new cloudwatch.GraphWidget({
          title: 'Challenge failures and key rotation failures',
          left: [sources.challengeFailures, sources.keyRotationFailures].filter((m): m is cloudwatch.IMetric => !!m),
          leftYAxis: { min: 0, showUnits: false },
          width: HALF,
          height: 6,
        }),
        logs('Key rotations (latest steps)', keyRotations(), HALF, cloudwatch.LogQueryVisualizationType.TABLE),
      ]);
    }
    if (sources.strategy === STRATEGY.GROUPS) {
      rows.push([logs('Open sessions (groups)', openSessions(), FULL, cloudwatch.LogQueryVisualizationType.TABLE)]);
    }
    // The controls of issue 14, when they are on: who asks and who decides; who impersonates most.
    const controls: cloudwatch.IWidget[] = [];
    if (sources.busiestAdmin) {
      controls.push(new cloudwatch.GraphWidget({
        title: 'Impersonations granted to the busiest admin, per hour',
        left: [sources.busiestAdmin.metric],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [{ value: sources.busiestAdmin.threshold, label: 'Unusual volume' }],
        width: sources.approval ? THIRD : FULL,
        height: 6,
      }));
    }
    if (sources.approval) {
      controls.push(logs('Approvals (latest requests and decisions)', approvals(50), sources.busiestAdmin ? FULL - THIRD : FULL,
        cloudwatch.LogQueryVisualizationType.TABLE));
    }
    if (controls.length > 0) rows.push(controls);
    rows.push([logs('Latest impersonations', latestImpersonations(50), FULL, cloudwatch.LogQueryVisualizationType.TABLE, 8)]);

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: options.dashboardName,
      defaultInterval: options.defaultInterval ?? Duration.days(1),
      widgets: rows,
    });
  }
}
