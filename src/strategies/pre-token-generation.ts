import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { PreTokenGenerationStrategyOptions } from './pre-token-generation-options';
import { validateClaimName, validateLambdaVersion } from './pre-token-trigger';
import { ENV, SOURCE, STRATEGY } from '../private/contract';
import { INVOCATION, type ImpersonationHost, type StrategyResources } from '../private/host';

/** The preTokenGeneration strategy's options, checked, with their defaults. */
export interface PreTokenGenerationSettings {
  readonly lambdaVersion: cognito.LambdaVersion;
  readonly claimName: string;
}

/** Throws a clear error on an invalid option, at the factory call. */
export function preTokenGenerationSettings(options: PreTokenGenerationStrategyOptions): PreTokenGenerationSettings {
  const lambdaVersion = validateLambdaVersion('preTokenGeneration', options.lambdaVersion);
  const claimName = options.claimName ?? 'impersonating';
  validateClaimName('preTokenGeneration', claimName);
  return { lambdaVersion, claimName };
}

/** The preTokenGeneration strategy: one trigger that adds a claim to an admin's tokens. */
export function definePreTokenGeneration(host: ImpersonationHost, settings: PreTokenGenerationSettings): StrategyResources {
  const fn = host.addFunction('PreTokenGeneration', {
    source: SOURCE.PRE_TOKEN_GENERATION,
    description: 'Cognito Pre Token Generation trigger: adds the impersonation claim to an admin\'s tokens',
    environment: { [ENV.STRATEGY]: STRATEGY.PRE_TOKEN_GENERATION, [ENV.CLAIM_NAME]: settings.claimName },
    refusesByThrowing: true,
    invocation: INVOCATION.TRIGGER,
  });
  // Exactly the read calls the handler makes, on this pool only. A separate policy (not
  // the role's default one) because the pool depends on the function through its trigger.
  host.addPoolPolicy(fn, new iam.PolicyStatement({
    actions: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser'],
    resources: [host.userPool.userPoolArn],
  }));
  host.attachTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn, settings.lambdaVersion);
  return {};
}
