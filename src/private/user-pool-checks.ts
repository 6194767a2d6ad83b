import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { IConstruct } from 'constructs';

/**
 * Synth-time checks of a user pool defined in the app against what the strategy attaches
 * (and, with requireAdminMfa, what the broker asks of it), for templates Cognito would refuse
 * or a broker that could never grant. They read the pool's final CloudFormation properties
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

/**
 * requireAdminMfa: adds a check to `scope` (the construct) that a pool defined in the app can
 * report its users' sign-ins (AdminListUserAuthEvents): threat protection on
 * (`UserPoolAddOns.AdvancedSecurityMode` AUDIT or ENFORCED), which only the Plus plan offers.
 * A pool without `UserPoolAddOns` has threat protection off (an add-on, off until turned on); a
 * value that is a token is not judged. An imported pool is checked by the broker, which refuses every start
 * (Misconfigured) until the pool can answer.
 */
export function checkUserPoolReportsSignIns(scope: IConstruct, userPool: cognito.IUserPool): void {
  const pool = userPool.node.defaultChild;
  if (!pool || !CfnResource.isCfnResource(pool)) return;
  scope.node.addValidation({
    validate: () => {
      const why = whyNoSignInEvents(propertiesOf(pool));
      if (!why) return [];
      return ['CognitoImpersonation: requireAdminMfa needs a user pool that reports its users\' sign-ins and whether they '
        + `used MFA (AdminListUserAuthEvents), and this pool ${why}. Put the pool on the Plus feature plan (featurePlan: `
        + 'FeaturePlan.PLUS) with threat protection in audit or full-function mode (standardThreatProtectionMode, or '
        + 'advancedSecurityMode on older aws-cdk-lib: AdvancedSecurityMode AUDIT or ENFORCED), or drop requireAdminMfa.'];
    },
  });
}

/** Why a pool with these properties cannot report sign-in events, if it cannot (tokens are not judged). */
function whyNoSignInEvents({ UserPoolTier: tier, UserPoolAddOns: addOns }: PoolProperties): string | undefined {
  if (typeof tier === 'string' && tier !== 'PLUS') {
    return `is on the ${tier.charAt(0)}${tier.slice(1).toLowerCase()} feature plan, which has no threat protection`;
  }
  if (addOns === undefined) return 'has threat protection off (no UserPoolAddOns.AdvancedSecurityMode in its template)';
  const mode = (addOns as Record<string, unknown>).AdvancedSecurityMode;
  if (typeof mode === 'string' && mode !== 'AUDIT' && mode !== 'ENFORCED') {
    return `has threat protection off (UserPoolAddOns.AdvancedSecurityMode ${mode})`;
  }
  return undefined;
}

/** The pool properties the checks read. */
interface PoolProperties {
  readonly LambdaConfig?: Record<string, unknown>;
  readonly UserPoolTier?: unknown;
  readonly UserPoolAddOns?: unknown;
}

/** The pool's CloudFormation properties as they will be synthesized, overrides included. */
function propertiesOf(pool: CfnResource): PoolProperties {
  // _toCloudFormation is what synthesis renders the resource with: the only view that
  // includes raw overrides (addPropertyOverride('UserPoolTier', ...) on older aws-cdk-lib).
  const rendered = Stack.of(pool).resolve((pool as any)._toCloudFormation());
  const [resource] = Object.values<any>(rendered.Resources ?? {});
  return resource?.Properties ?? {};
}
