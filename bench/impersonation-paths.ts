/**
 * 2. The impersonation paths of each handler, from source, with the AWS SDK mocked: time per
 * call, AWS calls per operation, and key fetches per 1,000 verifications in a warm container.
 */
import { createSign, generateKeyPairSync, randomUUID } from 'crypto';
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRespondToAuthChallengeCommand,
  AdminAddUserToGroupCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ADMIN_GROUP, CLIENT_ID, USER_POOL_ID, ordinarySignIn, setEnvironment, strategies } from './fixtures';
import { measure, ratio, round } from './measure';
import { accessTokenVerifier } from '../lambda-src/broker/admin-auth';
import { handler as brokerHandler } from '../lambda-src/broker.lambda';
import { resetContainerState } from '../lambda-src/common/container-state';
import { handler as createHandler } from '../lambda-src/create-auth-challenge.lambda';
import { signAssertion } from '../lambda-src/custom-challenge/assertion';
import { signingKeyFetches } from '../lambda-src/custom-challenge/signing-keys';
import { handler as defineHandler } from '../lambda-src/define-auth-challenge.lambda';
import { handler as preTokenHandler } from '../lambda-src/pre-token-generation.lambda';
import { handler as rotateHandler } from '../lambda-src/rotate-key.lambda';
import { handler as verifyHandler } from '../lambda-src/verify-auth-challenge.lambda';
import { ASSERTION_METADATA_KEY, ENV } from '../src/private/contract';

const KEY = 'k'.repeat(44);
const TARGET = { username: 'bob', sub: '7d1e0000-0000-4000-8000-000000000002' };
const ADMIN = { username: 'alice', sub: '0b8c0000-0000-4000-8000-000000000001' };
const context = { awsRequestId: 'bench' } as any;

/** An RS256 access token of the admin, and the JWKS that verifies it. */
function adminAccessToken() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' };
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'RS256', kid: 'bench' })}.${b64({
    sub: ADMIN.sub,
    username: ADMIN.username,
    client_id: 'consoleclient0000000000000',
    token_use: 'access',
    iss: `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}`,
    iat: now,
    exp: now + 3600,
    scope: 'aws.cognito.signin.user.admin',
  })}`;
  const signature = createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url');
  return { token: `${body}.${signature}`, jwks: { keys: [jwk] } };
}

function challengeEvent(kind: 'define' | 'create' | 'verify', extra: Record<string, unknown> = {}): any {
  return {
    version: '1',
    region: 'eu-west-1',
    userPoolId: USER_POOL_ID,
    userName: TARGET.username,
    triggerSource: kind === 'define' ? 'DefineAuthChallenge_Authentication' : kind === 'create' ? 'CreateAuthChallenge_Authentication' : 'VerifyAuthChallengeResponse_Authentication',
    callerContext: { awsSdkVersion: 'x', clientId: CLIENT_ID },
    request: { userAttributes: { sub: TARGET.sub }, session: [], challengeName: 'CUSTOM_CHALLENGE', ...extra },
    response: {},
  };
}

export async function impersonationPathsBench() {
  const cognito = mockClient(CognitoIdentityProviderClient);
  const ssm = mockClient(SSMClient);
  const sm = mockClient(SecretsManagerClient);
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: CLIENT_ID } });
  sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ key: KEY }) });
  cognito.on(AdminGetUserCommand, { Username: TARGET.username }).resolves({ Username: TARGET.username, Enabled: true, UserAttributes: [{ Name: 'sub', Value: TARGET.sub }] });
  cognito.on(AdminGetUserCommand, { Username: ADMIN.username }).resolves({ Username: ADMIN.username, Enabled: true, UserAttributes: [{ Name: 'sub', Value: ADMIN.sub }] });
  cognito.on(AdminListGroupsForUserCommand, { Username: TARGET.username }).resolves({ Groups: [{ GroupName: 'customers' }] });
  cognito.on(AdminListGroupsForUserCommand, { Username: ADMIN.username }).resolves({ Groups: [{ GroupName: ADMIN_GROUP }] });
  cognito.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ClientSecret: 'client-secret' } });
  cognito.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'CUSTOM_CHALLENGE', Session: 's', ChallengeParameters: { nonce: 'n'.repeat(43) } });
  cognito.on(AdminRespondToAuthChallengeCommand).resolves({ AuthenticationResult: { IdToken: 'id', AccessToken: 'access', RefreshToken: 'refresh', ExpiresIn: 900, TokenType: 'Bearer' } });
  const scheduler = mockClient(SchedulerClient);
  cognito.on(AdminAddUserToGroupCommand).resolves({});
  cognito.on(AdminRemoveUserFromGroupCommand).resolves({});
  cognito.on(AdminUserGlobalSignOutCommand).resolves({});
  // No earlier session: start creates one schedule; end finds it by name and deletes it.
  scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/bench-sessions/s' });
  scheduler.on(DeleteScheduleCommand).resolves({});
  const allCalls = () => cognito.calls().length + ssm.calls().length + sm.calls().length + scheduler.calls().length;
  const reset = () => {
    cognito.resetHistory(); ssm.resetHistory(); sm.resetHistory(); scheduler.resetHistory();
  };

  const silence = ['info', 'warn', 'log'].map((level) => {
    const original = (console as any)[level];
    (console as any)[level] = () => {};
    return () => { (console as any)[level] = original; };
  });
  try {
    const { token, jwks } = adminAccessToken();
    accessTokenVerifier(USER_POOL_ID).cacheJwks(jwks as any, USER_POOL_ID);

    const nowSeconds = () => Math.floor(Date.now() / 1000);
    const assertion = () => JSON.stringify(signAssertion(KEY, {
      nonce: 'n'.repeat(43),
      targetUsername: TARGET.username,
      actorSub: ADMIN.sub,
      actorUsername: ADMIN.username,
      sessionId: randomUUID(),
      clientId: CLIENT_ID,
      expiresAt: nowSeconds() + 60,
    }));
    const challengeToken = () => {
      const e = ordinarySignIn({ [ASSERTION_METADATA_KEY]: assertion() });
      e.userName = TARGET.username;
      e.callerContext.clientId = CLIENT_ID;
      return e;
    };

    const paths: Record<string, { strategy: string; run: () => Promise<unknown> }> = {
      'preTokenGeneration: impersonation request': {
        strategy: strategies.PRE_TOKEN_GENERATION,
        run: () => {
          const e = ordinarySignIn({ impersonate: TARGET.username, impersonationReason: 'SUP-1' });
          e.userName = ADMIN.username;
          e.request.userAttributes.sub = ADMIN.sub;
          e.request.groupConfiguration.groupsToOverride = [ADMIN_GROUP];
          return preTokenHandler(e, context);
        },
      },
      'customChallenge: define (first step)': { strategy: strategies.CUSTOM_CHALLENGE, run: () => defineHandler(challengeEvent('define'), context) },
      'customChallenge: create': { strategy: strategies.CUSTOM_CHALLENGE, run: () => createHandler(challengeEvent('create'), context) },
      'customChallenge: verify': {
        strategy: strategies.CUSTOM_CHALLENGE,
        run: () => verifyHandler(challengeEvent('verify', { privateChallengeParameters: { nonce: 'n'.repeat(43) }, challengeAnswer: assertion() }), context),
      },
      'customChallenge: pre token generation (act)': { strategy: strategies.CUSTOM_CHALLENGE, run: () => preTokenHandler(challengeToken(), context) },
      'customChallenge: broker start': {
        strategy: strategies.CUSTOM_CHALLENGE,
        run: async () => {
          const out: any = await brokerHandler({ action: 'start', accessToken: token, target: TARGET.username, reason: 'SUP-1' }, context);
          if (out.error) throw new Error(`broker refused: ${out.error.code}`);
        },
      },
      'groups: broker start (one group added)': {
        strategy: strategies.GROUPS,
        run: async () => {
          const out: any = await brokerHandler({ action: 'start', accessToken: token, target: TARGET.username, reason: 'SUP-1' }, context);
          if (out.error) throw new Error(`broker refused: ${out.error.code}`);
        },
      },
    };

    const rows = [];
    for (const [name, path] of Object.entries(paths)) {
      setEnvironment(path.strategy);
      // Warm container: caches filled by a first call, as after a first invocation.
      await path.run();
      reset();
      await path.run();
      const awsCallsWarm = allCalls();
      const result = await measure({ baseline: async () => undefined, subject: path.run }, { time: 300 });
      rows.push({
        path: name,
        meanUs: round(result.subject.meanUs, 1),
        ratioToEmptyHandler: ratio(result.subject, result.baseline),
        awsCallsPerOperationWarm: awsCallsWarm,
      });
    }

    // Rotation: the four steps of one rotation.
    setEnvironment(strategies.CUSTOM_CHALLENGE);
    const secretArn = process.env[ENV.SECRET_ARN]!;
    sm.on(DescribeSecretCommand).resolves({ RotationEnabled: true, VersionIdsToStages: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] } });
    sm.on(PutSecretValueCommand).resolves({});
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    reset();
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await rotateHandler({ Step, SecretId: secretArn, ClientRequestToken: 'v2' }, context);
    }
    rows.push({ path: 'customChallenge: key rotation (4 steps)', meanUs: NaN, ratioToEmptyHandler: NaN, awsCallsPerOperationWarm: allCalls() });

    // Key fetches per 1,000 verifications in one warm container.
    // A cold cache (and clients): the next verification fetches the keys once.
    resetContainerState();
    for (let i = 0; i < 1000; i++) {
      await verifyHandler(challengeEvent('verify', { privateChallengeParameters: { nonce: 'n'.repeat(43) }, challengeAnswer: assertion() }), context);
    }
    const keyFetches = { verifications: 1000, keyFetches: signingKeyFetches(), cachePeriodSeconds: 300, goal: '<= 1 per cache period' };
    return { paths: rows, keyFetches };
  } finally {
    silence.forEach((restore) => restore());
    cognito.restore(); ssm.restore(); sm.restore(); scheduler.restore();
  }
}
