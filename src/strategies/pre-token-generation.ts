import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { StrategyBinding } from './binding';
import { validateClaimName, validateLambdaVersion } from './claims';
import { ENV, SOURCE, STRATEGY } from '../private/contract';
import type { ImpersonationHost, StrategyResources } from '../private/host';
import type { PreTokenGenerationStrategyOptions } from '../strategy';

/** The preTokenGeneration strategy: one trigger that adds a claim to an admin's tokens. */
export class PreTokenGenerationBinding implements StrategyBinding {
  public readonly strategyName = STRATEGY.PRE_TOKEN_GENERATION;
  private readonly lambdaVersion: cognito.LambdaVersion;
  private readonly claimName: string;

  constructor(options: PreTokenGenerationStrategyOptions) {
    this.lambdaVersion = validateLambdaVersion('preTokenGeneration', options.lambdaVersion);
    this.claimName = options.claimName ?? 'impersonating';
    validateClaimName('preTokenGeneration', this.claimName);
  }

  public bind(scope: Construct, host: ImpersonationHost): StrategyResources {
    const fn = host.addFunction(scope, 'PreTokenGeneration', {
      source: SOURCE.PRE_TOKEN_GENERATION,
      description: 'Cognito Pre Token Generation trigger: adds the impersonation claim to an admin\'s tokens',
      environment: { [ENV.STRATEGY]: this.strategyName, [ENV.CLAIM_NAME]: this.claimName },
      refusesByThrowing: true,
    });
    // Exactly the read calls the handler makes, on this pool only. A separate policy (not
    // the role's default one) because the pool depends on the function through its trigger.
    host.addPoolPolicy(scope, 'PreTokenGenerationPolicy', fn, new iam.PolicyStatement({
      actions: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser'],
      resources: [host.userPool.userPoolArn],
    }));
    host.attachTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn, this.lambdaVersion);
    return {};
  }
}
