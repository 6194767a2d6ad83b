/** Events and configuration shared by the benchmarks: realistic, fixed, no I/O. */
import { generateKeyPairSync, randomUUID, sign } from 'crypto';
import { ENV, STRATEGY } from '../src/private/contract';

export const USER_POOL_ID = 'eu-west-1_BenchPool';
export const CLIENT_ID = 'benchclient000000000000000';
export const ADMIN_GROUP = 'support-impersonators';

/** The environment the construct gives its functions. */
export function setEnvironment(strategy: string): void {
  Object.assign(process.env, {
    [ENV.ADMIN_GROUP]: ADMIN_GROUP,
    [ENV.PROTECTED_GROUPS]: JSON.stringify([ADMIN_GROUP, 'finance-admins']),
    [ENV.REQUIRE_REASON]: 'true',
    [ENV.MAX_REASON_LENGTH]: '256',
    [ENV.CLAIM_NAME]: 'impersonating',
    [ENV.STRATEGY]: strategy,
    [ENV.USER_POOL_ID]: USER_POOL_ID,
    [ENV.CLIENT_ID]: CLIENT_ID,
    [ENV.CLIENT_ID_PARAMETER]: '/cdk-cognito-impersonation/Bench/x/client-id',
    [ENV.SECRET_ARN]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench-AbCdEf',
    [ENV.SCHEDULE_GROUP]: 'bench-sessions',
    [ENV.END_SESSION_FUNCTION_ARN]: 'arn:aws:lambda:eu-west-1:123456789012:function:bench-end-session',
    [ENV.SCHEDULER_ROLE_ARN]: 'arn:aws:iam::123456789012:role/bench-scheduler',
    [ENV.SESSION_TABLE]: 'bench-sessions',
    [ENV.SESSION_LEASE_SECONDS]: '120',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  });
}

export const strategies = STRATEGY;

/** A V2 Pre Token Generation event of an ordinary SRP sign-in, as Cognito sends it. */
export function ordinarySignIn(clientMetadata?: Record<string, string>): any {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_Authentication',
    region: 'eu-west-1',
    userPoolId: USER_POOL_ID,
    userName: 'carol',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'webclient00000000000000000' },
    request: {
      userAttributes: { 'sub': '5f0c1d2e-0000-4000-8000-000000000003', 'email': 'carol@example.com', 'cognito:user_status': 'CONFIRMED' },
      groupConfiguration: { groupsToOverride: ['customers'], iamRolesToOverride: [], preferredRole: null },
      scopes: ['aws.cognito.signin.user.admin'],
      clientMetadata,
    },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

/** An RS256 Cognito access token of `user` from a console client, and the JWKS that verifies it. */
export function adminAccessToken(user: { sub: string; username: string }): { token: string; jwks: { keys: object[] } } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' }] };
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'RS256', kid: 'bench' })}.${b64({
    sub: user.sub,
    username: user.username,
    client_id: 'consoleclient0000000000000',
    token_use: 'access',
    iss: `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}`,
    iat: now,
    exp: now + 3600,
    jti: randomUUID(),
    scope: 'aws.cognito.signin.user.admin',
  })}`;
  return { token: `${body}.${sign('RSA-SHA256', Buffer.from(body), privateKey).toString('base64url')}`, jwks };
}
