import { Duration } from 'aws-cdk-lib';

/**
 * Options of the groups strategy.
 */
export interface GroupsStrategyOptions {
  /**
   * How long a session lasts when the request names no `durationMinutes`. Whole minutes,
   * from 5 minutes to `maxDuration`.
   *
   * @default Duration.minutes(15), or `maxDuration` if that is shorter
   */
  readonly defaultDuration?: Duration;

  /**
   * The longest session a request may ask for (`durationMinutes`). Whole minutes, from
   * 5 minutes to 12 hours. At expiry the added groups are removed and the admin is signed
   * out globally; access tokens already issued stay valid offline until they expire.
   *
   * @default Duration.hours(1)
   */
  readonly maxDuration?: Duration;
}
