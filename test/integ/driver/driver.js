// The integration test's support console, run in AWS by the assertion of
// test/integ/integ.impersonation.ts: it creates a fresh admin and target, impersonates with the
// stack's strategy, checks the outcome, ends, and deletes both users. Any failed check throws,
// and the assertion (which expects "impersonation verified: <strategy>") fails.
'use strict';
const crypto = require('crypto');
const cip = require('@aws-sdk/client-cognito-identity-provider');
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');

const cognito = new cip.CognitoIdentityProviderClient({});
const lambda = new LambdaClient({});
const env = process.env;
const UserPoolId = env.USER_POOL_ID;

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

/** The payload of a JWT (Cognito verified it by issuing it; only its claims are read here). */
function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

function password() {
  return `Aa1!${crypto.randomBytes(18).toString('base64url')}`;
}

async function createUser(Username, groups, permanentPassword) {
  const temporary = password();
  await cognito.send(new cip.AdminCreateUserCommand({ UserPoolId, Username, TemporaryPassword: temporary, MessageAction: 'SUPPRESS' }));
  if (permanentPassword) {
    await cognito.send(new cip.AdminSetUserPasswordCommand({ UserPoolId, Username, Password: permanentPassword, Permanent: true }));
  }
  for (const GroupName of groups) {
    await cognito.send(new cip.AdminAddUserToGroupCommand({ UserPoolId, Username, GroupName }));
  }
  return temporary;
}

async function signIn(Username, Password) {
  const out = await cognito.send(new cip.AdminInitiateAuthCommand({
    UserPoolId, ClientId: env.CLIENT_ID, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: Username, PASSWORD: Password },
  }));
  return out;
}

async function broker(request) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: env.BROKER, Payload: JSON.stringify(request) }));
  const result = JSON.parse(Buffer.from(out.Payload).toString('utf8'));
  if (out.FunctionError || result.error) throw new Error(`broker refused ${request.action}: ${JSON.stringify(result.error ?? result)}`);
  return result;
}

async function groupsOf(Username) {
  const out = await cognito.send(new cip.AdminListGroupsForUserCommand({ UserPoolId, Username }));
  return (out.Groups ?? []).map((g) => g.GroupName);
}

/** ClientMetadata reaches Pre Token Generation only on RespondToAuthChallenge: answer NEW_PASSWORD_REQUIRED. */
async function preTokenGeneration(admin, target, temporaryPassword) {
  const started = await signIn(admin, temporaryPassword);
  check(started.ChallengeName === 'NEW_PASSWORD_REQUIRED', 'the admin\'s first sign-in is a challenge');
  const out = await cognito.send(new cip.AdminRespondToAuthChallengeCommand({
    UserPoolId, ClientId: env.CLIENT_ID, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: started.Session,
    ChallengeResponses: { USERNAME: admin, NEW_PASSWORD: password() },
    ClientMetadata: { impersonate: target, impersonationReason: 'INTEG-1 integration test' },
  }));
  const id = claims(out.AuthenticationResult.IdToken);
  const access = claims(out.AuthenticationResult.AccessToken);
  check(id['cognito:username'] === admin, 'the tokens are the admin\'s own');
  check(id.impersonating?.username === target, 'the ID token names the target in impersonating');
  check(access.impersonating?.username === target, 'the access token names the target in impersonating (V2_0)');
  // End: the claim lives as long as the token; sign the admin out everywhere.
  await cognito.send(new cip.AdminUserGlobalSignOutCommand({ UserPoolId, Username: admin }));
}

async function customChallenge(admin, target, adminPassword) {
  const adminTokens = (await signIn(admin, adminPassword)).AuthenticationResult;
  const result = await broker({ action: 'start', accessToken: adminTokens.AccessToken, target, reason: 'INTEG-1 integration test' });
  const id = claims(result.idToken);
  check(id['cognito:username'] === target, 'the broker returns the target\'s own tokens');
  check(id.act?.username === admin, 'the target\'s tokens name the admin in act');
  check(!('refreshToken' in result), 'no refresh token is handed out');
  // End: impersonation tokens cannot be refreshed; sign the target's sessions out now.
  await cognito.send(new cip.AdminUserGlobalSignOutCommand({ UserPoolId, Username: target }));
}

async function groups(admin, target, adminPassword) {
  const adminTokens = (await signIn(admin, adminPassword)).AuthenticationResult;
  check(!(await groupsOf(admin)).includes(env.TARGET_GROUP), 'the admin starts without the target\'s group');
  const started = await broker({ action: 'start', accessToken: adminTokens.AccessToken, target, reason: 'INTEG-1 integration test' });
  check(started.groupsAdded.includes(env.TARGET_GROUP), 'the session lends the target\'s group');
  check((await groupsOf(admin)).includes(env.TARGET_GROUP), 'the admin is in the target\'s group');
  const ended = await broker({ action: 'end', accessToken: adminTokens.AccessToken, sessionId: started.sessionId });
  check(ended.ended.some((e) => e.sessionId === started.sessionId), 'the session ended');
  check(!(await groupsOf(admin)).includes(env.TARGET_GROUP), 'the lent group is removed');
  check((await groupsOf(admin)).includes(env.ADMIN_GROUP), 'the admin keeps their own groups');
}

exports.handler = async () => {
  const suffix = crypto.randomBytes(4).toString('hex');
  const admin = `integ-admin-${suffix}`;
  const target = `integ-target-${suffix}`;
  const adminPassword = password();
  try {
    const temporary = await createUser(admin, [env.ADMIN_GROUP], env.STRATEGY === 'preTokenGeneration' ? undefined : adminPassword);
    await createUser(target, [env.TARGET_GROUP], password());
    if (env.STRATEGY === 'preTokenGeneration') await preTokenGeneration(admin, target, temporary);
    else if (env.STRATEGY === 'customChallenge') await customChallenge(admin, target, adminPassword);
    else await groups(admin, target, adminPassword);
    return `impersonation verified: ${env.STRATEGY}`;
  } finally {
    for (const Username of [admin, target]) {
      await cognito.send(new cip.AdminDeleteUserCommand({ UserPoolId, Username })).catch(() => undefined);
    }
  }
};
