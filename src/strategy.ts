import { STRATEGY } from './private/contract';
import type { ImpersonationHost, StrategyResources } from './private/host';
import { customChallengeSettings, defineCustomChallenge, type CustomChallengeSettings } from './strategies/custom-challenge';
import type { CustomChallengeStrategyOptions } from './strategies/custom-challenge-options';
import { defineGroups, groupsSettings, type GroupsSettings } from './strategies/groups';
import type { GroupsStrategyOptions } from './strategies/groups-options';
import {
  definePreTokenGeneration, preTokenGenerationSettings, type PreTokenGenerationSettings,
} from './strategies/pre-token-generation';
import type { PreTokenGenerationStrategyOptions } from './strategies/pre-token-generation-options';

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
    return new PreTokenGenerationStrategy(preTokenGenerationSettings(options));
  }

  /**
   * A broker Lambda obtains real, short-lived tokens of the target user through Cognito
   * custom authentication on a dedicated app client. The challenge answer is an
   * HMAC-SHA256 assertion, signed with a key kept in Secrets Manager and rotated
   * automatically; the tokens carry an `act` claim naming the admin, and cannot be refreshed.
   *
   * @param options token validity, key rotation, trigger version and the challenge-failure alarm
   */
  public static customChallenge(options: CustomChallengeStrategyOptions = {}): ImpersonationStrategy {
    return new CustomChallengeStrategy(customChallengeSettings(options));
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
    return new GroupsStrategy(groupsSettings(options));
  }

  /**
   * The strategy's name, as it appears in audit events (for example `preTokenGeneration`).
   */
  public abstract readonly strategyName: string;

  protected constructor() {}

  /**
   * Defines the strategy's resources in the host construct and wires them into it.
   * @internal
   */
  public abstract _bind(host: ImpersonationHost): StrategyResources;
}

// One subclass per strategy, here beside the factories that create them (as aws-cognito's
// UserPoolEmail does): a subclass in strategies/ would import this module, which imports it.
// Options are checked by the factory; what each strategy defines is in strategies/<name>.ts.

class PreTokenGenerationStrategy extends ImpersonationStrategy {
  public readonly strategyName = STRATEGY.PRE_TOKEN_GENERATION;

  constructor(private readonly settings: PreTokenGenerationSettings) {
    super();
  }

  /** @internal */
  public _bind(host: ImpersonationHost): StrategyResources {
    return definePreTokenGeneration(host, this.settings);
  }
}

class CustomChallengeStrategy extends ImpersonationStrategy {
  public readonly strategyName = STRATEGY.CUSTOM_CHALLENGE;

  constructor(private readonly settings: CustomChallengeSettings) {
    super();
  }

  /** @internal */
  public _bind(host: ImpersonationHost): StrategyResources {
    return defineCustomChallenge(host, this.settings);
  }
}

class GroupsStrategy extends ImpersonationStrategy {
  public readonly strategyName = STRATEGY.GROUPS;

  constructor(private readonly settings: GroupsSettings) {
    super();
  }

  /** @internal */
  public _bind(host: ImpersonationHost): StrategyResources {
    return defineGroups(host, this.settings);
  }
}
