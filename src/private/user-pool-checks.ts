import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { IConstruct } from 'constructs';

/**
 * Synth-time checks of a user pool defined in the app against what the strategy attaches,
 * for templates Cognito would refuse. They read the pool's final CloudFormation properties
 * when the app is validated, so that triggers added after the construct count too.
 */
export interface UserPoolChecks {
  /** The strategy, as users name it (`preTokenGeneration`, `customChallenge`). */
  readonly strategyName: string;
  /** The Pre Token Generation event version the strategy attaches, if it attaches one. */
  readonly preTokenGenerationVersion?: cognito.LambdaVersion;
}

/**
 * Adds the checks to `scope` (the construct): a legacy Pre Token Generation trigger beside
 * the strategy's, and V2_0 on a Lite-plan pool. Only for pools defined in the app: the
 * trigger attachment checks imported pools when it runs.
 */
export function checkUserPool(scope: IConstruct, userPool: cognito.IUserPool, checks: UserPoolChecks): void {
  const pool = userPool.node.defaultChild;
  if (!checks.preTokenGenerationVersion || !pool || !CfnResource.isCfnResource(pool)) return;
  scope.node.addValidation({
    validate: () => {
      const properties = propertiesOf(pool);
      const errors: string[] = [];
      if (properties.LambdaConfig?.PreTokenGeneration !== undefined) {
        errors.push('CognitoImpersonation: the user pool has a legacy Pre Token Generation trigger (lambdaTriggers.preTokenGeneration '
          + 'or addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION)), and the '
          + `${checks.strategyName} strategy attaches its own with PRE_TOKEN_GENERATION_CONFIG. Cognito holds one function for `
          + 'both (LambdaConfig.PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must name the same one) and refuses this '
          + 'pool. Remove the legacy trigger, or fold what it does into a Pre Token Generation function of your own and use '
          + 'the groups strategy, which attaches no trigger.');
      }
      if (properties.UserPoolTier === 'LITE' && checks.preTokenGenerationVersion === cognito.LambdaVersion.V2_0) {
        errors.push('CognitoImpersonation: the user pool is on the Lite feature plan, where Pre Token Generation V2_0 is not '
          + `available. Use ImpersonationStrategy.${checks.strategyName}({ lambdaVersion: V1_0 }) (the claim is then in the `
          + 'ID token only), or move the pool to the Essentials or Plus plan (featurePlan).');
      }
      return errors;
    },
  });
}

/** The pool's CloudFormation properties as they will be synthesized, overrides included. */
function propertiesOf(pool: CfnResource): { LambdaConfig?: Record<string, unknown>; UserPoolTier?: string } {
  // _toCloudFormation is what synthesis renders the resource with: the only view that
  // includes raw overrides (addPropertyOverride('UserPoolTier', ...) on older aws-cdk-lib).
  const rendered = Stack.of(pool).resolve((pool as any)._toCloudFormation());
  const [resource] = Object.values<any>(rendered.Resources ?? {});
  return resource?.Properties ?? {};
}
