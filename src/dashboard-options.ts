import type { Duration } from 'aws-cdk-lib';

/**
 * Options of the construct's CloudWatch dashboard.
 */
export interface ImpersonationDashboardOptions {
  /**
   * The dashboard's name.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * The time range the dashboard opens with.
   *
   * @default Duration.days(1)
   */
  readonly defaultInterval?: Duration;
}
