/**
 * Volume limits on impersonation, enforced by the broker (customChallenge, groups) when a
 * `start` has passed every other check and before it changes anything. Windows are fixed:
 * clock hours and UTC days.
 */
export interface ImpersonationLimits {
  /**
   * The most impersonations one admin may start per clock hour (UTC). Further starts in that
   * hour are refused (denial reason `AdminLimitReached`, broker error `LimitExceeded`) and
   * change nothing. Whole number from 1 to 10,000.
   *
   * @default - no limit per admin
   */
  readonly maxStartsPerAdminPerHour?: number;

  /**
   * The most impersonations of one user (by any admin) per UTC day. Further starts that day
   * are refused (denial reason `TargetLimitReached`, broker error `LimitExceeded`). Whole
   * number from 1 to 10,000.
   *
   * @default - no limit per target
   */
  readonly maxStartsPerTargetPerDay?: number;

  /**
   * The unusual-volume alarm goes off when one admin (whoever it is) is granted at least this
   * many impersonations within one hour. It watches the audit log through a CloudWatch
   * Contributor Insights rule keyed by the admin's username, so it needs no list of admins.
   *
   * @default - `maxStartsPerAdminPerHour` when set (an admin who reaches the limit is worth a look), otherwise 10
   */
  readonly unusualVolumeThreshold?: number;
}
