/**
 * Issue 10, item 5, through the BUNDLED Pre Token Generation trigger: impersonation access
 * tokens never carry Cognito's self-service scope, nor the team's suppressed scopes.
 */
import { freshContainer } from './kit/bundles';
import { customChallengeTriggers, impersonationEvent } from './kit/custom-challenge';
import { ADMIN_SCOPE } from './kit/tokens';
import { AUDIT_EVENT, DENIAL_REASON, ENV } from '../../src/private/contract';
import { KEY_1 } from '../lambda-src/fixtures/challenge';
import { lambdaContext } from '../lambda-src/fixtures/common';

const t = customChallengeTriggers();

describe('item 5: impersonation access tokens lose the self-service scope', () => {
  test('V2_0: aws.cognito.signin.user.admin is suppressed on every token marked with act', async () => {
    const preToken = freshContainer('pre-token-generation');
    const out = await preToken(impersonationEvent(KEY_1), lambdaContext());
    const access = out.response.claimsAndScopeOverrideDetails.accessTokenGeneration;
    expect(access.claimsToAddOrOverride.act).toEqual(expect.objectContaining({ sessionId: expect.any(String) }));
    expect(access.scopesToSuppress).toEqual([ADMIN_SCOPE]);
    // Nothing is added in its place.
    expect(access.scopesToAdd).toBeUndefined();
  });

  test('V2_0: the team\'s own scopes are suppressed too (read-only impersonation)', async () => {
    process.env[ENV.SUPPRESSED_SCOPES] = JSON.stringify(['orders/write', 'payments/refund']);
    const preToken = freshContainer('pre-token-generation');
    const out = await preToken(impersonationEvent(KEY_1), lambdaContext());
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration.scopesToSuppress)
      .toEqual([ADMIN_SCOPE, 'orders/write', 'payments/refund']);
  });

  test('V2_0: a malformed scope list refuses the impersonation rather than issuing a full token', async () => {
    process.env[ENV.SUPPRESSED_SCOPES] = '["orders/write", 42]';
    const preToken = freshContainer('pre-token-generation');
    await expect(preToken(impersonationEvent(KEY_1), lambdaContext())).rejects.toThrow(/Impersonation refused/);
    expect(t.audit().events()).toEqual([expect.objectContaining({ event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.MISCONFIGURED })]);
  });

  test('V1_0 cannot suppress scopes: act goes into the ID token only (the construct warns at synth)', async () => {
    const preToken = freshContainer('pre-token-generation');
    const out = await preToken(impersonationEvent(KEY_1, { version: 1 }), lambdaContext());
    expect(Object.keys(out.response)).toEqual(['claimsOverrideDetails']);
    const act = JSON.parse(out.response.claimsOverrideDetails.claimsToAddOrOverride.act);
    expect(act).toEqual(expect.objectContaining({ sessionId: expect.any(String) }));
  });
});

