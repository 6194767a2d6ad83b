import { Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';

/**
 * Options of the customChallenge strategy.
 */
export interface CustomChallengeStrategyOptions {
  /**
   * The Pre Token Generation trigger event version used to add the `act` claim.
   *
   * - `V2_0`: `act` is added to the ID and the access token, as a JSON object. Needs the
   *   Essentials or Plus feature plan.
   * - `V1_0`: `act` is added to the ID token only, as a JSON-encoded string (Lite plan).
   *
   * @default cognito.LambdaVersion.V2_0
   */
  readonly lambdaVersion?: cognito.LambdaVersion;

  /**
   * How long the target's ID and access tokens are valid: the length of an impersonation.
   * From 5 to 60 minutes, in whole minutes. No refresh token is ever handed out.
   *
   * @default Duration.minutes(15)
   */
  readonly tokenValidity?: Duration;

  /**
   * How often the HMAC signing key is rotated. From 1 to 365 days.
   *
   * @default Duration.days(30)
   */
  readonly keyRotationInterval?: Duration;

  /**
   * The challenge-failure alarm goes off when at least this many custom-auth challenges
   * fail within 5 minutes (a wrong client, a forged, tampered, replayed or expired
   * assertion). Only the broker answers challenges, so any failure deserves a look.
   *
   * @default 1
   */
  readonly challengeFailureAlarmThreshold?: number;
}
