import { Construct } from 'constructs';
import type { ImpersonationHost, StrategyResources } from '../private/host';

/** What a strategy does when the construct binds it: create and wire its resources. */
export interface StrategyBinding {
  readonly strategyName: string;
  bind(scope: Construct, host: ImpersonationHost): StrategyResources;
}
