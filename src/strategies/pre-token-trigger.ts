/**
 * Checks of the options of the Pre Token Generation trigger, which both the
 * preTokenGeneration and the customChallenge strategies attach: the claim it adds and its
 * event version. (The handler's claims are built in lambda-src.)
 */
import * as cognito from 'aws-cdk-lib/aws-cognito';

/** Claims Cognito sets itself and a trigger cannot (or must not) override. */
const RESERVED_CLAIMS = new Set([
  'sub', 'iss', 'aud', 'exp', 'iat', 'token_use', 'auth_time', 'jti', 'origin_jti', 'nonce', 'acr',
  'amr', 'at_hash', 'azp', 'identities', 'nbf', 'scope', 'client_id', 'username', 'event_id',
  'act', 'email', 'email_verified', 'phone_number', 'phone_number_verified',
]);
const CLAIM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Throws unless `claimName` is a name a trigger may add. */
export function validateClaimName(factory: string, claimName: string): void {
  if (!CLAIM_NAME_PATTERN.test(claimName) || RESERVED_CLAIMS.has(claimName)) {
    throw new Error(
      `ImpersonationStrategy.${factory}: claimName '${claimName}' is invalid: use 1-64 letters, digits, '_', '.' or '-', `
      + 'starting with a letter or \'_\', and not a claim Cognito reserves (sub, iss, aud, exp, cognito:*, ...)',
    );
  }
}

/** V1_0 or V2_0; V3_0 is for machine-to-machine tokens, which have no user to impersonate. */
export function validateLambdaVersion(factory: string, version: cognito.LambdaVersion | undefined): cognito.LambdaVersion {
  const resolved = version ?? cognito.LambdaVersion.V2_0;
  if (resolved !== cognito.LambdaVersion.V1_0 && resolved !== cognito.LambdaVersion.V2_0) {
    throw new Error(`ImpersonationStrategy.${factory}: lambdaVersion must be V1_0 or V2_0, got ${resolved}`);
  }
  return resolved;
}
