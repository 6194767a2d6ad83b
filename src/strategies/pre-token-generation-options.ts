import * as cognito from 'aws-cdk-lib/aws-cognito';

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
