import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { GroupsSession } from './session';
import { deleteSessionSchedule, type SessionStore } from './session-store';
import { errorNameOf } from '../common/errors';

/** A group change that did not go through. */
export class GroupChangeError extends Error {
  public readonly name = 'GroupChangeError';
  /** When adding failed: whether every group the attempt may have added was removed again. */
  public readonly rolledBack?: boolean;

  constructor(message: string, options: { cause?: unknown; rolledBack?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.rolledBack = options.rolledBack;
  }
}

/**
 * Adds the session's groups to the admin, one by one. If one fails, every group this call
 * attempted is removed again (including the failing one, which may have been added before
 * the error). Returns normally only when all were added; otherwise throws GroupChangeError
 * whose `rolledBack` tells whether the admin is back to where they started.
 */
export async function addSessionGroups(cognito: CognitoIdentityProviderClient, session: GroupsSession): Promise<void> {
  const attempted: string[] = [];
  for (const group of session.groupsAdded) {
    attempted.push(group);
    try {
      await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: session.userPoolId, Username: session.admin.username, GroupName: group }));
    } catch (err) {
      const failed = await removeGroups(cognito, session.userPoolId, session.admin.username, attempted);
      throw new GroupChangeError(`adding group ${attempted.length} of ${session.groupsAdded.length} failed`, {
        cause: err,
        rolledBack: failed.length === 0,
      });
    }
  }
}

/** Removes `groups` from `username`, each attempted even if another fails; returns the ones that failed. */
async function removeGroups(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
  groups: readonly string[],
): Promise<string[]> {
  const failed: string[] = [];
  for (const group of groups) {
    try {
      await cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }));
    } catch (err) {
      // A deleted group or user has no membership left to remove.
      if (errorNameOf(err) !== 'ResourceNotFoundException' && errorNameOf(err) !== 'UserNotFoundException') failed.push(group);
    }
  }
  return failed;
}

/** What undoing a session did. */
export interface UndoneSession {
  readonly groupsRemoved: readonly string[];
  /** False when the admin's account no longer exists (or was replaced): nothing to remove. */
  readonly adminFound: boolean;
}

/**
 * Undoes a session (the store side of every end: expiry, revocation, the broker's `end`,
 * a superseding `start`): removes exactly its `groupsAdded` from its admin (never a group the
 * admin had before: those were never in `groupsAdded`), signs the admin out globally (the
 * refresh tokens that would bring the groups back stop working), then deletes the schedule.
 * Idempotent: every step tolerates having been done already. If a step fails, the schedule
 * is kept and GroupChangeError is thrown, so that the end is retried.
 *
 * The admin is checked by `sub` first: if the username now belongs to another account,
 * that account is not touched.
 */
export async function undoSession(cognito: CognitoIdentityProviderClient, store: SessionStore, session: GroupsSession): Promise<UndoneSession> {
  let adminFound = true;
  try {
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: session.userPoolId, Username: session.admin.username }));
    const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    adminFound = sub === session.admin.sub;
  } catch (err) {
    if (errorNameOf(err) !== 'UserNotFoundException') throw new GroupChangeError('the admin could not be looked up', { cause: err });
    adminFound = false;
  }
  if (adminFound) {
    const failed = await removeGroups(cognito, session.userPoolId, session.admin.username, session.groupsAdded);
    if (failed.length > 0) {
      throw new GroupChangeError(`${failed.length} of ${session.groupsAdded.length} groups could not be removed`);
    }
    try {
      await cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: session.userPoolId, Username: session.admin.username }));
    } catch (err) {
      if (errorNameOf(err) !== 'UserNotFoundException') throw new GroupChangeError('the global sign-out failed', { cause: err });
    }
  }
  try {
    await deleteSessionSchedule(store, session.scheduleName);
  } catch (err) {
    throw new GroupChangeError('the schedule could not be deleted', { cause: err });
  }
  return { groupsRemoved: adminFound ? [...session.groupsAdded] : [], adminFound };
}
