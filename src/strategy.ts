import { Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { ImpersonationHost, StrategyResources } from './private/host';
import type { StrategyBinding } from './strategies/binding';
import { CustomChallengeBinding } from './strategies/custom-challenge';
import { GroupsBinding } from './strategies/groups';
import { PreTokenGenerationBinding } from './strategies/pre-token-generation';

/**
 * Options of the preTokenGeneration strategy.
 */
export interface PreTokenGenerationStrategyOptions {
  /**
   * The Pre Token Generation trigger event version.
   *
   * - `V2_0`: the claim is added to the ID and the access token, as a JSON object.
   *   Access tokens are what APIs check. Needs the Essentials or Plus feature plan.
   * - `V1_0`: the claim is added to the ID token only, as a JSON-encoded string.
   *   Works with the Lite feature plan.
   *
   * @default cognito.LambdaVersion.V2_0
   */
  readonly lambdaVersion?: cognito.LambdaVersion;

  /**
   * The name of the claim that names the impersonated user.
   *
   * Must not be a claim that Cognito reserves (`sub`, `iss`, `cognito:*`, ...).
   *
   * @default "impersonating"
   */
  readonly claimName?: string;
}

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
}

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

/**
 * How support staff impersonate users. Choose one with a static factory.
 */
export abstract class ImpersonationStrategy {
  /**
   * A Pre Token Generation trigger adds a claim naming the target user to the admin's
   * own tokens. The admin signs in with ClientMetadata `{ impersonate, impersonationReason }`
   * through a flow that passes ClientMetadata to the trigger (SRP sign-in or any
   * RespondToAuthChallenge flow). The claim is never added on refresh.
   *
   * @param options the trigger version and claim name
   */
  public static preTokenGeneration(options: PreTokenGenerationStrategyOptions = {}): ImpersonationStrategy {
    return new BoundStrategy(new PreTokenGenerationBinding(options));
  }

  /**
   * A broker Lambda obtains real, short-lived tokens of the target user through Cognito
   * custom authentication on a dedicated app client. The challenge answer is an
   * HMAC-SHA256 assertion, signed with a key kept in Secrets Manager and rotated
   * automatically; the tokens carry an `act` claim naming the admin, and cannot be refreshed.
   *
   * @param options token validity, key rotation and trigger version
   */
  public static customChallenge(options: CustomChallengeStrategyOptions = {}): ImpersonationStrategy {
    return new BoundStrategy(new CustomChallengeBinding(options));
  }

  /**
   * A broker Lambda adds the target user's Cognito groups (those the admin lacks) to the
   * admin's own account for a bounded time. Accountability stays with the admin: the tokens
   * are the admin's own. Each session is a one-time EventBridge Scheduler schedule, created
   * before any group is added, that ends it at expiry: the added groups (and only those) are
   * removed and the admin is signed out globally. Sessions can also be ended and listed
   * through the broker.
   *
   * @param options default and maximum session duration
   */
  public static groups(options: GroupsStrategyOptions = {}): ImpersonationStrategy {
    return new BoundStrategy(new GroupsBinding(options));
  }

  /**
   * The strategy's name, as it appears in audit events (for example `preTokenGeneration`).
   */
  public abstract readonly strategyName: string;

  protected constructor() {}

  /**
   * Creates the strategy's resources and wires them into the host construct.
   * @internal
   */
  public abstract _bind(scope: Construct, host: ImpersonationHost): StrategyResources;
}

/** A strategy chosen through a factory: its binding does the work. */
class BoundStrategy extends ImpersonationStrategy {
  public readonly strategyName: string;

  constructor(private readonly binding: StrategyBinding) {
    super();
    this.strategyName = binding.strategyName;
  }

  /** @internal */
  public _bind(scope: Construct, host: ImpersonationHost): StrategyResources {
    return this.binding.bind(scope, host);
  }
}
