import { Construct } from 'constructs';
import type { ImpersonationHost, StrategyResources } from '../private/host';

/** What a strategy does when the construct binds it: create and wire its resources. */
export interface StrategyBinding {
  readonly strategyName: string;
  bind(scope: Construct, host: ImpersonationHost): StrategyResources;
}

/**
 * What every broker calls to know who asks (the admin, checked live) and whom (the target,
 * by username or sub). Each strategy adds the actions of its own way of impersonating.
 */
export const BROKER_LOOKUP_ACTIONS: readonly string[] = [
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminListGroupsForUser',
  'cognito-idp:ListUsers',
];
