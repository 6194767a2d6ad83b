import { randomUUID } from 'crypto';
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateScheduleCommand, DeleteScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  SESSION_STATE,
  SessionConflict,
  createSession,
  deleteSession,
  getSession,
  replaceSession,
  type SessionRecord,
} from './session-store';
import { LIMITS } from '../../src/private/contract';
import type { TableRef } from '../common/aws-clients';

/**
 * The groups session lifecycle, on the session table (see session-table.ts for the states).
 * Every step is idempotent, so that a retry after a throttled call, a lost response or a
 * killed invocation finishes what the first attempt began:
 * - start: the session is recorded (PLANNED, leased) before anything changes; the admin's own
 *   groups are read under that lease; the planned groups (the target's groups the admin
 *   lacks) are written before any is added; the expiry schedule is created; then the groups
 *   are added and the session becomes ACTIVE. A failure rolls all of it back; if the
 *   rollback fails too, the record stays and the sweeper finishes the job.
 * - end: the session is claimed (ENDING, leased), exactly its recorded groups are removed,
 *   the admin is signed out, the schedule is deleted, and only then the record.
 * A group the admin had before a session is never in its record, so it is never removed.
 */

/** What the lifecycle works with. */
export interface Lifecycle {
  readonly cognito: CognitoIdentityProviderClient;
  readonly scheduler: SchedulerClient;
  readonly table: TableRef;
  readonly scheduleGroup: string;
  /** Where expiry schedules deliver (start only). */
  readonly expiry?: ExpiryTarget;
  /** How long a claim holds a session: longer than any function of the construct runs. */
  readonly leaseMs: number;
  readonly now: () => number;
  /** Every group a user is in (all pages). */
  readonly groupsOf: (username: string) => Promise<string[]>;
}

/** The expiry schedule's target. */
export interface ExpiryTarget {
  readonly functionArn: string;
  readonly roleArn: string;
  /** SQS queue for deliveries that failed every retry. */
  readonly deadLetterArn?: string;
  /** Customer managed key for the schedule's payload. */
  readonly kmsKeyArn?: string;
}

/** Another handler holds the session right now (its lease is live): try again later. */
export class SessionBusy extends Error {
  public readonly name = 'SessionBusy';
}

/** The caller is not, or no longer, the live, enabled account their token names. */
export class AdminMismatch extends Error {
  public readonly name = 'AdminMismatch';
}

/** The admin's groups plus the planned ones would exceed Cognito's 100 groups per user. */
export class TooManyGroups extends Error {
  public readonly name = 'TooManyGroups';
}

/** A lookup the lifecycle needs failed. */
export class LookupFailed extends Error {
  public readonly name = 'LookupFailed';
}

/** The expiry schedule could not be created: nothing was added. */
export class ScheduleFailed extends Error {
  public readonly name = 'ScheduleFailed';
}

/** Adding or removing groups (or what ends a session) failed; the session record remains to be retried. */
export class GroupChangeFailed extends Error {
  public readonly name = 'GroupChangeFailed';
}

const nameOf = (err: unknown): string | undefined => (err as { name?: string } | undefined)?.name;
const NOTHING_LEFT = new Set(['ResourceNotFoundException', 'UserNotFoundException']);

/** The next version of a session with `changes`. */
function next(record: SessionRecord, changes: Partial<SessionRecord>): SessionRecord {
  return { ...record, ...changes, version: record.version + 1 };
}

/** `at(...)` of an ISO time, to the second, in UTC. */
export function atExpression(time: string): string {
  return `at(${time.slice(0, 19)})`;
}

/** What an expiry schedule sends to EndSession: which session, never what to do. */
export interface ExpiryInput {
  readonly sessionId: string;
  readonly adminSub: string;
}

/** What a start needs to know, all of it checked by the caller (the admin with assertLiveAdmin). */
export interface StartRequest {
  readonly sessionId: string;
  readonly scheduleName: string;
  readonly userPoolId: string;
  readonly admin: { readonly sub: string; readonly username: string };
  readonly target: { readonly sub?: string; readonly username: string; readonly groups: readonly string[] };
  readonly reason?: string;
  readonly minutes: number;
}

/**
 * The admin as Cognito knows them now: the account named by `username` must exist, be
 * enabled and have the `sub` of the caller's token (a recreated username is another person).
 */
export async function assertLiveAdmin(lc: Lifecycle, userPoolId: string, admin: { sub: string; username: string }): Promise<void> {
  let user;
  try {
    user = await lc.cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: admin.username }));
  } catch (err) {
    if (nameOf(err) === 'UserNotFoundException') throw new AdminMismatch('the admin no longer exists');
    throw new LookupFailed('the admin could not be looked up', { cause: err });
  }
  const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
  if (user.Enabled !== true || sub !== admin.sub) throw new AdminMismatch('not the live, enabled admin');
}

/**
 * Starts a session. The admin must have none (the caller ends a previous one first); a
 * concurrent start or end of the same admin makes this one fail with SessionBusy.
 */
export async function startSession(lc: Lifecycle, req: StartRequest): Promise<SessionRecord> {
  const now = lc.now();
  // Whole seconds, so that the schedule's at() expression is exactly the expiry.
  const expires = Math.ceil((now + req.minutes * 60_000) / 1000) * 1000;
  let current: SessionRecord = {
    sessionId: req.sessionId,
    state: SESSION_STATE.PLANNED,
    version: 1,
    leaseUntil: now + lc.leaseMs,
    claimId: randomUUID(),
    userPoolId: req.userPoolId,
    admin: req.admin,
    target: { sub: req.target.sub, username: req.target.username },
    groups: [],
    reason: req.reason,
    startedAt: new Date(now).toISOString(),
    expiresAt: new Date(expires).toISOString(),
    scheduleName: req.scheduleName,
  };
  try {
    await createSession(lc.table, current);
  } catch (err) {
    if (err instanceof SessionConflict) throw new SessionBusy('the admin has a session being started or ended');
    throw new LookupFailed('the session could not be recorded', { cause: err });
  }
  let addsBegun = false;
  try {
    let own: Set<string>;
    try {
      // Under the lease: no session of this admin can add or remove a group meanwhile.
      own = new Set(await lc.groupsOf(req.admin.username));
    } catch (err) {
      throw new LookupFailed('the admin\'s groups could not be read', { cause: err });
    }
    const planned = [...new Set(req.target.groups)].filter((g) => !own.has(g));
    if (own.size + planned.length > LIMITS.MAX_GROUPS_PER_USER) throw new TooManyGroups('more than 100 groups');
    const withPlan = next(current, { groups: planned });
    await write(lc, current, withPlan);
    current = withPlan;
    await createExpirySchedule(lc, current);
    addsBegun = true;
    for (const group of planned) {
      try {
        await lc.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: req.userPoolId, Username: req.admin.username, GroupName: group }));
      } catch (err) {
        throw new GroupChangeFailed(`adding ${group} failed`, { cause: err });
      }
    }
    const active = next(current, { state: SESSION_STATE.ACTIVE, leaseUntil: 0 });
    await write(lc, current, active);
    return active;
  } catch (err) {
    // Back to where the admin started. If that fails too, the record (and the schedule)
    // stay: the sweeper ends the session once the lease has passed.
    await removeEverything(lc, current, { signOut: addsBegun }).catch(() => undefined);
    throw err;
  }
}

/** Writes the next version; GroupChangeFailed when it cannot be written. */
async function write(lc: Lifecycle, read: SessionRecord, next_: SessionRecord): Promise<void> {
  try {
    await writeOrConfirm(lc, read, next_);
  } catch (err) {
    throw new GroupChangeFailed('the session could not be updated', { cause: err });
  }
}

/**
 * Writes the next version of a session. When the write fails without an answer (throttled,
 * timed out: it may or may not have been applied), the item is read back: if it holds
 * exactly what was written, the write went through. SessionConflict when someone else wrote.
 */
async function writeOrConfirm(lc: Lifecycle, read: SessionRecord, next_: SessionRecord): Promise<void> {
  try {
    await replaceSession(lc.table, read, next_);
  } catch (err) {
    if (err instanceof SessionConflict) throw err;
    const now = await getSession(lc.table, read.admin.sub);
    if (now?.sessionId === next_.sessionId && now.version === next_.version && now.claimId === next_.claimId) return;
    throw err;
  }
}

async function createExpirySchedule(lc: Lifecycle, session: SessionRecord): Promise<void> {
  if (!lc.expiry) throw new ScheduleFailed('no expiry target configured');
  const input: ExpiryInput = { sessionId: session.sessionId, adminSub: session.admin.sub };
  try {
    await lc.scheduler.send(new CreateScheduleCommand({
      GroupName: lc.scheduleGroup,
      Name: session.scheduleName,
      Description: `cdk-cognito-impersonation groups session ${session.sessionId}`,
      ScheduleExpression: atExpression(session.expiresAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      // Kept until the session has ended: EndSession deletes it.
      ActionAfterCompletion: 'NONE',
      State: 'ENABLED',
      ClientToken: session.sessionId,
      KmsKeyArn: lc.expiry.kmsKeyArn,
      Target: {
        Arn: lc.expiry.functionArn,
        RoleArn: lc.expiry.roleArn,
        Input: JSON.stringify(input),
        // Delivery (not the function's own errors: Lambda retries those) for up to a day.
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        DeadLetterConfig: lc.expiry.deadLetterArn ? { Arn: lc.expiry.deadLetterArn } : undefined,
      },
    }));
  } catch (err) {
    // A retried create of the same schedule (lost response) finds it there.
    if (nameOf(err) !== 'ConflictException') throw new ScheduleFailed('the expiry schedule could not be created', { cause: err });
  }
}

/** What ending a session did. */
export interface Ended {
  readonly groupsRemoved: readonly string[];
  /** The admin's account was deleted (or its username now names someone else): it held nothing to remove. */
  readonly adminGone: boolean;
}

/**
 * Ends a session read from the table: claims it (SessionBusy while another handler holds it,
 * SessionConflict if it changed since it was read), removes its groups, signs the admin out,
 * deletes its schedule and its record. GroupChangeFailed when a step fails: the record stays,
 * released, so that the next attempt (Lambda's retry, the sweeper) can claim it at once.
 */
export async function endSession(lc: Lifecycle, read: SessionRecord): Promise<Ended> {
  const now = lc.now();
  if (read.leaseUntil > now) throw new SessionBusy('another handler holds the session');
  const claimed = next(read, { state: SESSION_STATE.ENDING, leaseUntil: now + lc.leaseMs, claimId: randomUUID() });
  try {
    await writeOrConfirm(lc, read, claimed);
  } catch (err) {
    if (err instanceof SessionConflict) throw err;
    throw new GroupChangeFailed('the session could not be claimed', { cause: err });
  }
  try {
    return await removeEverything(lc, claimed, { signOut: true });
  } catch (err) {
    await replaceSession(lc.table, claimed, next(claimed, { leaseUntil: 0 })).catch(() => undefined);
    throw err;
  }
}

/** Undoes a session the caller holds: its groups, the admin's tokens, its schedule, its record. */
async function removeEverything(lc: Lifecycle, session: SessionRecord, options: { signOut: boolean }): Promise<Ended> {
  const { userPoolId, admin } = session;
  let adminGone = false;
  try {
    const user = await lc.cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: admin.username }));
    adminGone = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value !== admin.sub;
  } catch (err) {
    if (nameOf(err) !== 'UserNotFoundException') throw new GroupChangeFailed('the admin could not be looked up', { cause: err });
    adminGone = true;
  }
  if (!adminGone) {
    const failed: string[] = [];
    for (const group of session.groups) {
      try {
        await lc.cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: admin.username, GroupName: group }));
      } catch (err) {
        // A deleted group (or user) holds no membership any more.
        if (!NOTHING_LEFT.has(nameOf(err) ?? '')) failed.push(group);
      }
    }
    if (failed.length > 0) throw new GroupChangeFailed(`${failed.length} of ${session.groups.length} groups could not be removed`);
    if (options.signOut) {
      try {
        // The refresh tokens that would bring the groups back stop working.
        await lc.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: admin.username }));
      } catch (err) {
        if (nameOf(err) !== 'UserNotFoundException') throw new GroupChangeFailed('the global sign-out failed', { cause: err });
      }
    }
  }
  try {
    await lc.scheduler.send(new DeleteScheduleCommand({ GroupName: lc.scheduleGroup, Name: session.scheduleName }));
  } catch (err) {
    if (nameOf(err) !== 'ResourceNotFoundException') throw new GroupChangeFailed('the schedule could not be deleted', { cause: err });
  }
  try {
    await deleteSession(lc.table, session);
  } catch (err) {
    // Without an answer, the delete may have gone through: then the record is gone.
    const gone = !(err instanceof SessionConflict)
      && await getSession(lc.table, session.admin.sub).then((now) => now?.sessionId !== session.sessionId, () => false);
    if (!gone) throw new GroupChangeFailed('the session record could not be deleted', { cause: err });
  }
  return { groupsRemoved: adminGone ? [] : [...session.groups], adminGone };
}

/** True when the sweeper should end the session now: expired, or left behind by a handler that died. */
export function isDue(record: SessionRecord, now: number): boolean {
  if (record.leaseUntil > now) return false;
  return record.state !== SESSION_STATE.ACTIVE || Date.parse(record.expiresAt) <= now;
}
