import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV, SOURCE, STRATEGY } from './private/contract';
import type { ImpersonationHost } from './private/host';

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
    return new PreTokenGenerationStrategy(options);
  }

  /**
   * The strategy's name, as it appears in audit events (for example `preTokenGeneration`).
   */
  public abstract readonly strategyName: string;

  protected constructor() {}

  /**
   * Creates the strategy's functions and wires them into the host construct.
   * @internal
   */
  public abstract _bind(scope: Construct, host: ImpersonationHost): void;
}

/** Claims Cognito sets itself and a trigger cannot (or must not) override. */
const RESERVED_CLAIMS = new Set([
  'sub', 'iss', 'aud', 'exp', 'iat', 'token_use', 'auth_time', 'jti', 'origin_jti', 'nonce', 'acr',
  'amr', 'at_hash', 'azp', 'identities', 'nbf', 'scope', 'client_id', 'username', 'event_id',
  'act', 'email', 'email_verified', 'phone_number', 'phone_number_verified',
]);
const CLAIM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * The preTokenGeneration strategy, with its options resolved and validated.
 * Not exported from the package: users get it from `ImpersonationStrategy.preTokenGeneration()`.
 */
class PreTokenGenerationStrategy extends ImpersonationStrategy {
  public readonly strategyName = STRATEGY.PRE_TOKEN_GENERATION;
  public readonly lambdaVersion: cognito.LambdaVersion;
  public readonly claimName: string;

  constructor(options: PreTokenGenerationStrategyOptions) {
    super();
    this.lambdaVersion = options.lambdaVersion ?? cognito.LambdaVersion.V2_0;
    if (this.lambdaVersion !== cognito.LambdaVersion.V1_0 && this.lambdaVersion !== cognito.LambdaVersion.V2_0) {
      throw new Error(`ImpersonationStrategy.preTokenGeneration: lambdaVersion must be V1_0 or V2_0, got ${this.lambdaVersion}`);
    }
    this.claimName = options.claimName ?? 'impersonating';
    if (!CLAIM_NAME_PATTERN.test(this.claimName) || RESERVED_CLAIMS.has(this.claimName)) {
      throw new Error(
        `ImpersonationStrategy.preTokenGeneration: claimName '${this.claimName}' is invalid: use 1-64 letters, digits, '_', '.' or '-', `
        + 'starting with a letter or \'_\', and not a claim Cognito reserves (sub, iss, aud, exp, cognito:*, ...)',
      );
    }
  }

  /** @internal */
  public _bind(scope: Construct, host: ImpersonationHost): void {
    const fn = host.addFunction(scope, 'PreTokenGeneration', {
      source: SOURCE.PRE_TOKEN_GENERATION,
      description: 'Cognito Pre Token Generation trigger: adds the impersonation claim to an admin\'s tokens',
      environment: { [ENV.CLAIM_NAME]: this.claimName },
    });
    // Exactly the read calls the handler makes, on this pool only. A separate policy (not
    // the role's default one) because the pool depends on the function through its trigger.
    host.addPoolPolicy(scope, 'PreTokenGenerationPolicy', fn, new iam.PolicyStatement({
      actions: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser'],
      resources: [host.userPool.userPoolArn],
    }));
    host.attachTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn, this.lambdaVersion);
  }
}
