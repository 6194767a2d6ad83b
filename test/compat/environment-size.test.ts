import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ENV, STRATEGIES } from './fixtures';
import { CognitoImpersonation, ImpersonationStrategy } from '../../src';

// Lambda refuses a function whose environment exceeds 4 KB, at deploy time: say so at synth.


/** `count` distinct valid group names of `length` characters. */
function groupNames(count: number, length: number): string[] {
  return Array.from({ length: count }, (_, i) => `${String(i).padStart(3, '0')}-${'g'.repeat(length - 4)}`);
}

/** An app with a pool and the construct protecting `protectedGroupNames`, not yet synthesized. */
function build(strategy: ImpersonationStrategy, protectedGroupNames: string[]) {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  new CognitoImpersonation(stack, 'Impersonation', {
    userPool: new cognito.UserPool(stack, 'UserPool'),
    strategy,
    adminGroupName: 'support',
    protectedGroupNames,
  });
  return { app, stack };
}

describe('Lambda\'s 4 KB environment limit', () => {
  test.each(STRATEGIES)('%s: protected group names that cannot fit fail the synth, naming the limit and the property', (_name, strategy) => {
    // 40 names of 128 characters: over 5 KB of JSON in one variable.
    const { app } = build(strategy(), groupNames(40, 128));
    expect(() => app.synth()).toThrow(/environment.*4 KB.*protectedGroupNames/s);
  });

  test('close to the limit: a warning that names the function and its size', () => {
    // About 3.5 KB of names: fits, with little room left for the function's references.
    const { app, stack } = build(ImpersonationStrategy.groups(), groupNames(25, 128));
    app.synth();
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('environment.*of the 4 KB'));
    expect(warnings.map((w) => w.id)).toEqual(expect.arrayContaining([expect.stringMatching(/Broker/)]));
  });

  test('an ordinary configuration neither fails nor warns', () => {
    const { app, stack } = build(ImpersonationStrategy.customChallenge(), groupNames(5, 40));
    app.synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('4 KB'))).toEqual([]);
  });
});
