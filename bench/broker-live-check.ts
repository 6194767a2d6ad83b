/**
 * 5. What the broker's live token check (GetUser with the admin's access token) adds to a
 * customChallenge `start`, through the bundled broker, with every Cognito call answered after a
 * realistic delay. The baseline is the same broker in the same process with GetUser answered at
 * once: the difference is the check's share of the request's latency.
 *
 * Measured: the structure of the calls (which ones wait for which) and the code's own cost.
 * Not measured: Cognito's real latency or its quotas (GetUser is one more call per `start`
 * against the pool's request-rate quota), Lambda's network, cold starts.
 */
import https from 'https';
import * as path from 'path';
import { Readable } from 'stream';
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminRespondToAuthChallengeCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  GetUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ADMIN_GROUP, adminAccessToken, setEnvironment, strategies } from './fixtures';
import { measure, ratio, round } from './measure';

/** A same-region Cognito API call from Lambda: tens of milliseconds. */
const CALL_DELAY_MS = 20;
const ADMIN = { username: 'alice', sub: '0b8c0000-0000-4000-8000-000000000001' };
const TARGET = { username: 'bob', sub: '7d1e0000-0000-4000-8000-000000000002' };

const delayed = <T>(value: T, ms: number) => () => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

/** Serves the pool's JWKS to the bundled verifier (no network). */
function serveJwks(jwks: object): () => void {
  const original = https.request;
  (https as any).request = (_uri: unknown, _options: unknown, callback: (res: Readable) => void) => {
    const req: any = {
      on: () => req,
      destroy: () => undefined,
      end: () => setImmediate(() => {
        const res: any = Readable.from([Buffer.from(JSON.stringify(jwks))]);
        res.statusCode = 200;
        callback(res);
      }),
    };
    return req;
  };
  return () => { (https as any).request = original; };
}

export async function brokerLiveCheckBench() {
  setEnvironment(strategies.CUSTOM_CHALLENGE);
  const cognito = mockClient(CognitoIdentityProviderClient);
  const sm = mockClient(SecretsManagerClient);
  const { token, jwks } = adminAccessToken(ADMIN);
  const restoreHttps = serveJwks(jwks);
  const silence = ['info', 'warn', 'log'].map((level) => {
    const original = (console as any)[level];
    (console as any)[level] = () => {};
    return () => { (console as any)[level] = original; };
  });
  try {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ key: 'k'.repeat(44) }) });
    const user = (u: typeof ADMIN) => ({ Username: u.username, Enabled: true, UserAttributes: [{ Name: 'sub', Value: u.sub }] });
    cognito.on(AdminGetUserCommand, { Username: ADMIN.username }).callsFake(delayed(user(ADMIN), CALL_DELAY_MS));
    cognito.on(AdminGetUserCommand, { Username: TARGET.username }).callsFake(delayed(user(TARGET), CALL_DELAY_MS));
    const groups = (name: string) => delayed({ Groups: [{ GroupName: name }] }, CALL_DELAY_MS);
    cognito.on(AdminListGroupsForUserCommand, { Username: ADMIN.username }).callsFake(groups(ADMIN_GROUP));
    cognito.on(AdminListGroupsForUserCommand, { Username: TARGET.username }).callsFake(groups('customers'));
    cognito.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ClientSecret: 'client-secret' } });
    cognito.on(AdminInitiateAuthCommand).callsFake(delayed({ ChallengeName: 'CUSTOM_CHALLENGE', Session: 's', ChallengeParameters: { nonce: 'n'.repeat(43) } }, CALL_DELAY_MS));
    cognito.on(AdminRespondToAuthChallengeCommand).callsFake(delayed({
      AuthenticationResult: { IdToken: 'id', AccessToken: 'access', RefreshToken: 'refresh', ExpiresIn: 900, TokenType: 'Bearer' },
    }, CALL_DELAY_MS));
    let getUserDelay = CALL_DELAY_MS;
    cognito.on(GetUserCommand).callsFake(() => delayed(user(ADMIN), getUserDelay)());

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(path.join(__dirname, '..', 'assets', 'lambda-src', 'broker.lambda', 'index.js'));
    const start = () => handler({ action: 'start', accessToken: token, target: TARGET.username, reason: 'SUP-1 bench' }, { awsRequestId: 'bench' });
    const warm = await start();
    if (warm.error) throw new Error(`broker refused the bench request: ${JSON.stringify(warm)}`);
    cognito.resetHistory();
    await start();
    const callsPerStart = cognito.calls().length;
    const getUserCalls = cognito.commandCalls(GetUserCommand).length;

    const result = await measure({
      getUserInstant: async () => { getUserDelay = 0; await start(); },
      getUserDelayed: async () => { getUserDelay = CALL_DELAY_MS; await start(); },
    }, { time: 1500, iterations: 20 });
    return [{
      callDelayMs: CALL_DELAY_MS,
      baselineMs: round(result.getUserInstant.meanUs / 1000, 1),
      withLiveCheckMs: round(result.getUserDelayed.meanUs / 1000, 1),
      addedMs: round((result.getUserDelayed.meanUs - result.getUserInstant.meanUs) / 1000, 1),
      ratio: ratio(result.getUserDelayed, result.getUserInstant),
      cognitoCallsPerStart: callsPerStart,
      getUserCallsPerStart: getUserCalls,
      goal: 'ratio <= 1.1: GetUser runs beside the admin lookup, not after it',
    }];
  } finally {
    silence.forEach((restore) => restore());
    restoreHttps();
    cognito.restore();
    sm.restore();
  }
}
