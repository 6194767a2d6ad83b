import { ImpersonationStrategy } from '../../src';

/** A fixed account and region, as a deployed app has (tests also cover stacks without). */
export const ENV = { account: '123456789012', region: 'eu-west-1' };

/** Every strategy with its defaults, by name. */
export const STRATEGIES = [
  ['preTokenGeneration', () => ImpersonationStrategy.preTokenGeneration()],
  ['customChallenge', () => ImpersonationStrategy.customChallenge()],
  ['groups', () => ImpersonationStrategy.groups()],
] as const;
