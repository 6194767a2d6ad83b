import { randomUUID } from 'crypto';
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminListUserAuthEventsCommand,
  AdminRespondToAuthChallengeCommand,
  AdminUserGlobalSignOutCommand,
  DescribeUserPoolClientCommand,
  GetUserCommand,
  ListUsersCommand,
  NotAuthorizedException,
  UserNotFoundException,
  UserPoolAddOnNotEnabledException,
  type AdminGetUserCommandInput,
  type AdminListGroupsForUserCommandInput,
  type AdminListUserAuthEventsCommandInput,
  type AuthEventType,
  type ChallengeResponseType,
  type AdminUserGlobalSignOutCommandInput,
  type CognitoIdentityProviderClient,
  type GetUserCommandInput,
  type ListUsersCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { ADMIN_SCOPE, DEDICATED_CLIENT_ID, POOL_ID, PoolSigningKey, accessTokenClaims, decodePayload } from './tokens';

/** A user of the fake pool. */
export interface FakeUser {
  readonly username: string;
  readonly sub: string;
  enabled: boolean;
  groups: string[];
}

/** What the fake remembers of each access token it issued (Cognito's server-side view). */
interface IssuedToken {
  readonly sub: string;
  readonly iat: number;
  revoked: boolean;
}

/**
 * A stateful fake of the Cognito user pool API, as far as broker authentication uses it,
 * behind aws-sdk-client-mock. It follows Cognito's documented behaviour:
 * - `GetUser` is authorized by the access token itself: a token Cognito did not issue is
 *   `Invalid Access Token`; an expired one `Access Token has expired`; one without the
 *   `aws.cognito.signin.user.admin` scope `Access Token does not have required scopes`; one
 *   issued before a global sign-out (or revoked) `Access Token has been revoked` (all
 *   NotAuthorizedException); the user is the token's `sub`, so a deleted user's token finds no one.
 * - `AdminUserGlobalSignOut` revokes every access token issued to the user so far; offline JWT
 *   verification still accepts them (that is the point of item 1).
 * - Users are found by username (`AdminGetUser`) or, with a filter, by `sub` (`ListUsers`);
 *   a deleted user's username can be given to a new user with a new `sub`.
 * - With `threatProtection` on, every sign-in is logged as a `SignIn` event created when the
 *   authentication began (before `auth_time`), with the challenges answered (`Password`, and
 *   `Mfa` when the sign-in used MFA), and `AdminListUserAuthEvents` returns the user's events,
 *   newest first; with it off (Lite and Essentials plans, or mode OFF) that call is
 *   `UserPoolAddOnNotEnabledException`.
 */
export class FakeCognito {
  readonly users = new Map<string, FakeUser>();
  private readonly issued = new Map<string, IssuedToken>();
  /** Every command the fake answered, by name, in order. */
  readonly calls: string[] = [];
  /** Threat protection (Plus plan, AUDIT or ENFORCED): sign-ins are logged and can be listed. */
  threatProtection = false;
  /** username -> the sign-in events threat protection logged, newest first. */
  private readonly authEvents = new Map<string, AuthEventType[]>();

  constructor(readonly key: PoolSigningKey = new PoolSigningKey()) {}

  addUser(username: string, options: { sub?: string; groups?: string[]; enabled?: boolean } = {}): FakeUser {
    const user: FakeUser = { username, sub: options.sub ?? randomUUID(), enabled: options.enabled ?? true, groups: options.groups ?? [] };
    this.users.set(username, user);
    return user;
  }

  deleteUser(username: string): void {
    this.users.delete(username);
  }

  /**
   * Signs `username` in: a real signed access token the fake will recognise, with claim
   * overrides; with threat protection, logged as a sign-in with MFA or with the password only.
   */
  signIn(username: string, overrides: Record<string, unknown> = {}, how: { mfa?: boolean } = {}): string {
    const user = this.users.get(username);
    if (!user) throw new Error(`no user ${username}`);
    const claims = accessTokenClaims(user, overrides);
    this.issued.set(String(claims.jti), { sub: String(claims.sub), iat: Number(claims.iat), revoked: false });
    if (this.threatProtection) {
      const authTime = typeof claims.auth_time === 'number' ? claims.auth_time : Math.floor(Date.now() / 1000);
      const challenges: ChallengeResponseType[] = [{ ChallengeName: 'Password', ChallengeResponse: 'Success' }];
      if (how.mfa) challenges.push({ ChallengeName: 'Mfa', ChallengeResponse: 'Success' });
      this.authEvents.set(username, [{
        EventId: randomUUID(),
        EventType: 'SignIn',
        // Created when the authentication began, some seconds before the tokens.
        CreationDate: new Date((authTime - 8) * 1000),
        EventResponse: 'Pass',
        ChallengeResponses: challenges,
      }, ...this.authEvents.get(username) ?? []]);
    }
    return this.key.sign(claims);
  }

  /** AdminUserGlobalSignOut, as an operator would call it. */
  globalSignOut(username: string): void {
    const user = this.users.get(username);
    if (!user) throw new UserNotFoundException({ message: 'User does not exist.', $metadata: {} });
    for (const token of this.issued.values()) {
      if (token.sub === user.sub) token.revoked = true;
    }
  }

  /** Answers the mock's Cognito calls from this pool. */
  install(mock: AwsClientStub<CognitoIdentityProviderClient>): void {
    const answer = <I, O>(name: string, fn: (input: I) => O) => (input: I) => {
      this.calls.push(name);
      return fn(input);
    };
    mock.on(GetUserCommand).callsFake(answer('GetUser', (input: GetUserCommandInput) => this.getUser(input)));
    mock.on(AdminGetUserCommand).callsFake(answer('AdminGetUser', (input: AdminGetUserCommandInput) => this.adminGetUser(input)));
    mock.on(AdminListGroupsForUserCommand).callsFake(answer('AdminListGroupsForUser', (input: AdminListGroupsForUserCommandInput) => {
      const user = this.userByName(input.UserPoolId, input.Username);
      return { Groups: user.groups.map((GroupName) => ({ GroupName, UserPoolId: POOL_ID })) };
    }));
    mock.on(ListUsersCommand).callsFake(answer('ListUsers', (input: ListUsersCommandInput) => {
      const sub = /^sub = "([^"]+)"$/.exec(input.Filter ?? '')?.[1];
      return { Users: [...this.users.values()].filter((u) => u.sub === sub).map((u) => ({ Username: u.username })) };
    }));
    mock.on(AdminListUserAuthEventsCommand).callsFake(answer('AdminListUserAuthEvents', (input: AdminListUserAuthEventsCommandInput) => {
      if (!this.threatProtection) {
        throw new UserPoolAddOnNotEnabledException({ message: 'AdvancedSecurityMode is not enabled for the user pool', $metadata: { httpStatusCode: 400 } });
      }
      const user = this.userByName(input.UserPoolId, input.Username);
      return { AuthEvents: (this.authEvents.get(user.username) ?? []).slice(0, input.MaxResults || 60) };
    }));
    mock.on(AdminUserGlobalSignOutCommand).callsFake(answer('AdminUserGlobalSignOut', (input: AdminUserGlobalSignOutCommandInput) => {
      this.globalSignOut(input.Username!);
      return {};
    }));
    mock.on(DescribeUserPoolClientCommand).callsFake(answer('DescribeUserPoolClient', () => ({
      UserPoolClient: { UserPoolId: POOL_ID, ClientId: DEDICATED_CLIENT_ID, ClientSecret: 'dedicated-client-secret-0123456789abcdef0123456789abcdef' },
    })));
    // Starting an impersonation is all these record: that anything started at all.
    mock.on(AdminInitiateAuthCommand).callsFake(answer('AdminInitiateAuth', () => ({
      ChallengeName: 'CUSTOM_CHALLENGE', Session: 'session', ChallengeParameters: { nonce: 'bm9uY2U' },
    })));
    mock.on(AdminRespondToAuthChallengeCommand).callsFake(answer('AdminRespondToAuthChallenge', () => ({
      AuthenticationResult: { IdToken: 'id.token.x', AccessToken: 'access.token.x', RefreshToken: 'refresh', ExpiresIn: 900, TokenType: 'Bearer' },
    })));
  }

  private userByName(poolId: string | undefined, username: string | undefined): FakeUser {
    const user = poolId === POOL_ID && username !== undefined ? this.users.get(username) : undefined;
    if (!user) throw new UserNotFoundException({ message: 'User does not exist.', $metadata: {} });
    return user;
  }

  private adminGetUser(input: AdminGetUserCommandInput) {
    const user = this.userByName(input.UserPoolId, input.Username);
    return {
      Username: user.username,
      Enabled: user.enabled,
      UserStatus: 'CONFIRMED',
      UserAttributes: [{ Name: 'sub', Value: user.sub }, { Name: 'email', Value: `${user.username}@example.com` }],
    };
  }

  private getUser(input: GetUserCommandInput) {
    const refuse = (message: string) => new NotAuthorizedException({ message, $metadata: { httpStatusCode: 400 } });
    const claims = decodePayload(input.AccessToken ?? '');
    const token = claims ? this.issued.get(String(claims.jti)) : undefined;
    if (!claims || !token || claims.iss === undefined || !String(claims.iss).endsWith(`/${POOL_ID}`)) throw refuse('Invalid Access Token');
    if (Number(claims.exp) <= Math.floor(Date.now() / 1000)) throw refuse('Access Token has expired');
    if (!String(claims.scope ?? '').split(' ').includes(ADMIN_SCOPE)) throw refuse('Access Token does not have required scopes');
    if (token.revoked) throw refuse('Access Token has been revoked');
    const user = [...this.users.values()].find((u) => u.sub === token.sub);
    if (!user) throw new UserNotFoundException({ message: 'User does not exist.', $metadata: { httpStatusCode: 400 } });
    if (!user.enabled) throw refuse('User is disabled.');
    return {
      Username: user.username,
      UserAttributes: [{ Name: 'sub', Value: user.sub }, { Name: 'email', Value: `${user.username}@example.com` }],
    };
  }
}
