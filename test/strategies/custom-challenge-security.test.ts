/**
 * The customChallenge construct's side of issue 10: the self-service scope on impersonation
 * tokens (suppressedScopes, the V1_0 warning) and the operator's handle on key revocation.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ImpersonationStrategy } from '../../src';
import { ENV } from '../../src/private/contract';
import { stackWith } from '../helpers';

/** The environment of the construct's Pre Token Generation function. */
function preTokenEnvironment(fixture: ReturnType<typeof stackWith>): Record<string, unknown> {
  const fn = fixture.template.findResources('AWS::Lambda::Function')[fixture.fn('PreTokenGeneration')] as any;
  return fn.Properties.Environment.Variables;
}

describe('suppressedScopes', () => {
  test('by default the trigger gets no list: it always suppresses aws.cognito.signin.user.admin itself', () => {
    const env = preTokenEnvironment(stackWith({ strategy: ImpersonationStrategy.customChallenge() }));
    expect(env[ENV.SUPPRESSED_SCOPES]).toBeUndefined();
  });

  test('the team\'s scopes reach the trigger as a JSON list, without duplicates or the built-in scope', () => {
    const env = preTokenEnvironment(stackWith({
      strategy: ImpersonationStrategy.customChallenge({ suppressedScopes: ['orders/write', 'aws.cognito.signin.user.admin', 'orders/write', 'payments:refund'] }),
    }));
    expect(JSON.parse(env[ENV.SUPPRESSED_SCOPES] as string)).toEqual(['orders/write', 'payments:refund']);
  });

  test.each([
    ['a space', ['orders write']],
    ['a quote', ['orders"write']],
    ['a backslash', ['orders\\write']],
    ['an empty name', ['']],
    ['a non-ASCII name', ['bestellungen/schreiben-ä']],
    ['too many', Array.from({ length: 51 }, (_, i) => `api/scope${i}`)],
  ])('%s is refused at synth', (_name, suppressedScopes) => {
    expect(() => ImpersonationStrategy.customChallenge({ suppressedScopes })).toThrow(/suppressedScopes/);
  });

  test('needs V2_0: a V1_0 trigger cannot change access tokens', () => {
    expect(() => ImpersonationStrategy.customChallenge({ suppressedScopes: ['orders/write'], lambdaVersion: cognito.LambdaVersion.V1_0 }))
      .toThrow(/suppressedScopes needs lambdaVersion V2_0/);
  });
});

describe('V1_0 warns at synth that access tokens keep the self-service scope', () => {
  test('V1_0: one warning on the construct', () => {
    const { stack } = stackWith({ strategy: ImpersonationStrategy.customChallenge({ lambdaVersion: cognito.LambdaVersion.V1_0 }) });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('aws.cognito.signin.user.admin'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].id).toBe('/TestStack/Impersonation');
    expect(warnings[0].entry.data).toMatch(/V1_0 cannot change access tokens.*Use V2_0/);
  });

  test.each([
    ['customChallenge with V2_0', ImpersonationStrategy.customChallenge()],
    ['preTokenGeneration with V1_0', ImpersonationStrategy.preTokenGeneration({ lambdaVersion: cognito.LambdaVersion.V1_0 })],
    ['groups', ImpersonationStrategy.groups()],
  ])('%s: no warning', (_name, strategy) => {
    const { stack } = stackWith({ strategy });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('aws.cognito.signin.user.admin'))).toHaveLength(0);
  });
});

test('customChallenge: the key rotation function is exposed for revokePreviousKey, and only rotates our secret', () => {
  const { impersonation, stack } = stackWith({ strategy: ImpersonationStrategy.customChallenge() });
  expect(impersonation.keyRotationFunction).toBeDefined();
  const fn = impersonation.keyRotationFunction!.node.defaultChild as any;
  const env = stack.resolve(fn.environment).variables;
  expect(env[ENV.SECRET_ARN]).toEqual(stack.resolve(impersonation.signingKey!.secretArn));
  expect(stack.resolve(fn.description)).toMatch(/Rotates the impersonation signing key/);
});
