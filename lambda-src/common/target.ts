import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ImpersonationConfig } from './config';
import { ImpersonationRefused, errorNameOf } from './errors';
import { DENIAL_REASON, PATTERN } from '../../src/private/contract';

const MAX_GROUP_PAGES = 5;

/** A resolved target user. */
export interface TargetUser {
  readonly username: string;
  readonly sub?: string;
  readonly enabled: boolean;
  readonly groups: readonly string[];
}

/** The signed-in admin, as the caller knows them. */
export interface Actor {
  readonly sub?: string;
  readonly username: string;
}

/**
 * Every group `username` is in, from AdminListGroupsForUser (all pages). A user is in at
 * most 100 groups (two pages of 60): more pages means something is off, and throws.
 */
export async function groupsOfUser(client: CognitoIdentityProviderClient, userPoolId: string, username: string): Promise<string[]> {
  const groups: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (++pages > MAX_GROUP_PAGES) {
      throw new Error('too many pages of groups');
    }
    const page = await client.send(new AdminListGroupsForUserCommand({
      UserPoolId: userPoolId,
      Username: username,
      Limit: 60,
      NextToken: nextToken,
    }));
    for (const group of page.Groups ?? []) {
      if (group.GroupName) groups.push(group.GroupName);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return groups;
}

/**
 * Looks up the target with AdminGetUser and AdminListGroupsForUser (all pages).
 * Unknown users become TargetNotFound; any other failure becomes LookupFailed, so an
 * SDK error refuses the impersonation instead of crashing or, worse, allowing it.
 */
export async function resolveTarget(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  requested: string,
): Promise<TargetUser> {
  try {
    const user = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: requested }));
    const username = user.Username ?? requested;
    const groups = await groupsOfUser(client, userPoolId, username);
    return {
      username,
      sub: user.UserAttributes?.find((a) => a.Name === 'sub')?.Value,
      enabled: user.Enabled === true,
      groups,
    };
  } catch (err) {
    if (errorNameOf(err) === 'UserNotFoundException') {
      throw new ImpersonationRefused(DENIAL_REASON.TARGET_NOT_FOUND);
    }
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
}

// The contract's UUID, in either case: a requested name shaped like a sub in upper case is looked
// up by sub too, as it always was (ListUsers then finds no user and the name is tried as a username).
const SUB = new RegExp(PATTERN.UUID.source, 'i');

/**
 * Like resolveTarget, but the target may also be named by its `sub` (a UUID), which
 * ListUsers finds by filter. A sub that matches no user is TargetNotFound.
 */
export async function resolveTargetByUsernameOrSub(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  requested: string,
): Promise<TargetUser> {
  if (!SUB.test(requested)) {
    return resolveTarget(client, userPoolId, requested);
  }
  let username: string | undefined;
  try {
    // The UUID pattern above rules out quotes, so the filter cannot be broken out of.
    const found = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: `sub = "${requested}"`, Limit: 2 }));
    username = found.Users?.length === 1 ? found.Users[0].Username : undefined;
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.LOOKUP_FAILED);
  }
  // Not by sub: it may still be a username that happens to look like a UUID.
  return resolveTarget(client, userPoolId, username ?? requested);
}

/**
 * The security model's rules about whom: never yourself, never a disabled user, never a
 * member of a protected group (the admin group always is). Throws ImpersonationRefused.
 */
export function assertTargetAllowed(actor: Actor, target: TargetUser, config: ImpersonationConfig): void {
  const sameSub = actor.sub !== undefined && target.sub !== undefined && actor.sub === target.sub;
  if (sameSub || actor.username === target.username) {
    throw new ImpersonationRefused(DENIAL_REASON.SELF_IMPERSONATION);
  }
  if (!target.enabled) {
    throw new ImpersonationRefused(DENIAL_REASON.TARGET_DISABLED);
  }
  if (target.groups.some((g) => config.protectedGroupNames.has(g))) {
    throw new ImpersonationRefused(DENIAL_REASON.TARGET_PROTECTED);
  }
}
