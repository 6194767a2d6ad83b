/**
 * 4. Synth: building and synthesizing a stack with the construct, against a stack with only
 * the user pool, for each strategy.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { measure, ratio, round } from './measure';
import { CognitoImpersonation, ImpersonationStrategy } from '../src';

const STRATEGIES: Record<string, () => ImpersonationStrategy> = {
  preTokenGeneration: () => ImpersonationStrategy.preTokenGeneration(),
  customChallenge: () => ImpersonationStrategy.customChallenge(),
  groups: () => ImpersonationStrategy.groups(),
};

function synth(strategy?: () => ImpersonationStrategy): () => void {
  return () => {
    const app = new App();
    const stack = new Stack(app, 'Bench');
    const userPool = new cognito.UserPool(stack, 'UserPool');
    if (strategy) {
      new CognitoImpersonation(stack, 'Impersonation', { userPool, strategy: strategy(), adminGroupName: 'admins' });
    }
    app.synth();
  };
}

export async function synthBench() {
  const tasks: Record<string, () => void> = { baseline: synth() };
  for (const [name, factory] of Object.entries(STRATEGIES)) tasks[name] = synth(factory);
  const result = await measure(tasks, { time: 0, iterations: 10, warmup: true });
  return Object.keys(STRATEGIES).map((name) => ({
    strategy: name,
    baselineMs: round(result.baseline.meanUs / 1000, 1),
    synthMs: round(result[name].meanUs / 1000, 1),
    ratio: ratio(result[name], result.baseline),
  }));
}
