import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { ENV, LIMITS } from '../../src/private/contract';

/**
 * The groups strategy's sessions. A session is one EventBridge Scheduler one-time schedule
 * in the construct's schedule group: its `Input` is the session (this JSON), its time is the
 * expiry, its target the EndSession function. The schedule is created before any group is
 * added and deleted only after every added group was removed again, so a session that
 * added anything always has a durable record and a pending end.
 */

/** Marks a schedule Input as a session of this construct. */
export const SESSION_KIND = 'cdk-cognito-impersonation/groups-session';

/** A session, exactly as stored in its schedule's Input. */
export interface GroupsSession {
  readonly kind: typeof SESSION_KIND;
  readonly version: 1;
  readonly sessionId: string;
  readonly scheduleName: string;
  readonly userPoolId: string;
  /** The admin whose account holds the groups. */
  readonly admin: { readonly sub: string; readonly username: string };
  /** The user whose groups were borrowed. */
  readonly target: { readonly sub?: string; readonly username: string };
  /** The target's groups the admin lacked, which this session added: the only ones it ever removes. */
  readonly groupsAdded: readonly string[];
  readonly reason?: string;
  readonly startedAt: string;
  readonly expiresAt: string;
}

/** Where sessions live and what their schedules invoke. */
export interface SessionStore {
  readonly scheduler: SchedulerClient;
  readonly groupName: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** `<admin sub>.<session id as 22 base64url characters>`: 59 of the 64 characters a name may have. */
const SCHEDULE_NAME = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{22}$/;
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** True for a lowercase UUID (Cognito's `sub`, a session id). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The name of a session's schedule: the admin's `sub` (so that an admin's sessions are
 * found by prefix, and a caller can only ever name their own) and the session id.
 */
export function scheduleNameOf(adminSub: string, sessionId: string): string {
  if (!isUuid(adminSub) || !isUuid(sessionId)) throw new Error('not a UUID');
  return `${adminSub}.${Buffer.from(sessionId.replace(/-/g, ''), 'hex').toString('base64url')}`;
}

/** The prefix of every schedule name of an admin's sessions. */
export function scheduleNamePrefixOf(adminSub: string): string {
  if (!isUuid(adminSub)) throw new Error('not a UUID');
  return `${adminSub}.`;
}

/** True when `name` has the shape of a session schedule's name. */
export function isScheduleName(value: unknown): value is string {
  return typeof value === 'string' && SCHEDULE_NAME.test(value);
}

const isString = (v: unknown, max = 2048): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

/**
 * A session from a schedule's Input, checked field by field: anything else in the group is
 * not a session of this construct and is never acted on. Throws on anything malformed.
 */
export function parseSession(value: unknown): GroupsSession {
  const s = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, any>;
  const ok = typeof s === 'object' && s !== null
    && s.kind === SESSION_KIND && s.version === 1
    && isUuid(s.sessionId) && isScheduleName(s.scheduleName)
    && isString(s.userPoolId, 64)
    && typeof s.admin === 'object' && s.admin !== null && isUuid(s.admin.sub) && isString(s.admin.username, 128)
    && s.scheduleName === scheduleNameOf(s.admin.sub, s.sessionId)
    && typeof s.target === 'object' && s.target !== null && isString(s.target.username, 128)
    && (s.target.sub === undefined || isString(s.target.sub, 64))
    && Array.isArray(s.groupsAdded) && s.groupsAdded.length <= LIMITS.MAX_GROUPS_PER_USER
    && s.groupsAdded.every((g: unknown) => typeof g === 'string' && GROUP_NAME.test(g))
    && (s.reason === undefined || isString(s.reason, LIMITS.MAX_REASON_LENGTH))
    && isTime(s.startedAt) && isTime(s.expiresAt);
  if (!ok) throw new Error('not a session of this construct');
  return s as GroupsSession;
}

const nameOf = (err: unknown): string | undefined => (err as { name?: string } | undefined)?.name;

/** The session in schedule `scheduleName`, or undefined when there is none (ended, or not ours). */
export async function readSession(store: SessionStore, scheduleName: string): Promise<GroupsSession | undefined> {
  let input: string | undefined;
  try {
    const out = await store.scheduler.send(new GetScheduleCommand({ GroupName: store.groupName, Name: scheduleName }));
    input = out.Target?.Input;
  } catch (err) {
    if (nameOf(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
  try {
    const session = parseSession(input);
    return session.scheduleName === scheduleName ? session : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sessions in the group, optionally only one admin's (`namePrefix`), at most `limit`
 * of them, earliest expiry first. ListSchedules names them; each is read with GetSchedule.
 */
export async function listSessions(
  store: SessionStore,
  options: { namePrefix?: string; limit?: number } = {},
): Promise<{ sessions: GroupsSession[]; truncated: boolean }> {
  const limit = options.limit ?? LIMITS.MAX_LISTED_SESSIONS;
  const names: string[] = [];
  let nextToken: string | undefined;
  let truncated = false;
  do {
    const page = await store.scheduler.send(new ListSchedulesCommand({
      GroupName: store.groupName,
      NamePrefix: options.namePrefix,
      MaxResults: 100,
      NextToken: nextToken,
    }));
    for (const schedule of page.Schedules ?? []) {
      if (!isScheduleName(schedule.Name)) continue;
      if (names.length === limit) {
        truncated = true;
        break;
      }
      names.push(schedule.Name);
    }
    nextToken = truncated ? undefined : page.NextToken;
  } while (nextToken);
  const read = await mapWithConcurrency(names, 5, (name) => readSession(store, name));
  const sessions = read.filter((s): s is GroupsSession => s !== undefined)
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.sessionId.localeCompare(b.sessionId));
  return { sessions, truncated };
}

/** Where a new session's schedule sends it at expiry. */
export interface ScheduleTarget {
  readonly functionArn: string;
  readonly roleArn: string;
}

/** `at(...)` of a time, in UTC, to the second. */
export function atExpression(time: string): string {
  return `at(${time.slice(0, 19)})`;
}

/**
 * Creates the session's schedule: one-time, at `expiresAt`, no flexible window, invoking
 * EndSession with the session. It is deleted by EndSession once the session has ended
 * (ActionAfterCompletion NONE: if ending fails, the schedule stays as the record of what is
 * left to remove). Delivery is retried for up to 24 hours.
 */
export async function createSessionSchedule(store: SessionStore, target: ScheduleTarget, session: GroupsSession): Promise<void> {
  await store.scheduler.send(new CreateScheduleCommand({
    GroupName: store.groupName,
    Name: session.scheduleName,
    Description: `cdk-cognito-impersonation groups session ${session.sessionId}`,
    ScheduleExpression: atExpression(session.expiresAt),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'NONE',
    State: 'ENABLED',
    ClientToken: session.sessionId,
    Target: {
      Arn: target.functionArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify(session),
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
    },
  }));
}

/** Deletes a session's schedule; one that is already gone is fine. */
export async function deleteSessionSchedule(store: SessionStore, scheduleName: string): Promise<void> {
  try {
    await store.scheduler.send(new DeleteScheduleCommand({ GroupName: store.groupName, Name: scheduleName }));
  } catch (err) {
    if (nameOf(err) !== 'ResourceNotFoundException') throw err;
  }
}

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
      if (nameOf(err) !== 'ResourceNotFoundException' && nameOf(err) !== 'UserNotFoundException') failed.push(group);
    }
  }
  return failed;
}

/** What ending a session did. */
export interface EndedSession {
  readonly groupsRemoved: readonly string[];
  /** False when the admin's account no longer exists (or was replaced): nothing to remove. */
  readonly adminFound: boolean;
}

/**
 * Ends a session: removes exactly its `groupsAdded` from its admin (never a group the
 * admin had before: those were never in `groupsAdded`), signs the admin out globally (the
 * refresh tokens that would bring the groups back stop working), then deletes the schedule.
 * Idempotent: every step tolerates having been done already. If a step fails, the schedule
 * is kept and GroupChangeError is thrown, so that the end is retried.
 *
 * The admin is checked by `sub` first: if the username now belongs to another account,
 * that account is not touched.
 */
export async function endSession(cognito: CognitoIdentityProviderClient, store: SessionStore, session: GroupsSession): Promise<EndedSession> {
  let adminFound = true;
  try {
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: session.userPoolId, Username: session.admin.username }));
    const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    adminFound = sub === session.admin.sub;
  } catch (err) {
    if (nameOf(err) !== 'UserNotFoundException') throw new GroupChangeError('the admin could not be looked up', { cause: err });
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
      if (nameOf(err) !== 'UserNotFoundException') throw new GroupChangeError('the global sign-out failed', { cause: err });
    }
  }
  try {
    await deleteSessionSchedule(store, session.scheduleName);
  } catch (err) {
    throw new GroupChangeError('the schedule could not be deleted', { cause: err });
  }
  return { groupsRemoved: adminFound ? [...session.groupsAdded] : [], adminFound };
}

/** The groups configuration of the broker and EndSession, from the environment. */
export interface GroupsEnvironment {
  readonly groupName: string;
  readonly target?: ScheduleTarget;
  readonly defaultMinutes: number;
  readonly maxMinutes: number;
}

/** Reads the groups configuration; throws when something is missing or malformed. */
export function readGroupsEnvironment(env: NodeJS.ProcessEnv = process.env, options: { needsTarget: boolean }): GroupsEnvironment {
  const groupName = env[ENV.SCHEDULE_GROUP];
  if (!groupName || !/^[0-9a-zA-Z-_.]{1,64}$/.test(groupName)) throw new Error(`${ENV.SCHEDULE_GROUP} is not set`);
  const functionArn = env[ENV.END_SESSION_FUNCTION_ARN];
  const roleArn = env[ENV.SCHEDULER_ROLE_ARN];
  if (options.needsTarget && (!functionArn || !roleArn)) throw new Error('the end-session target is not set');
  const defaultMinutes = Number(env[ENV.DEFAULT_DURATION_MINUTES] ?? LIMITS.DEFAULT_SESSION_MINUTES);
  const maxMinutes = Number(env[ENV.MAX_DURATION_MINUTES] ?? LIMITS.DEFAULT_MAX_SESSION_MINUTES);
  const inRange = (n: number) => Number.isInteger(n) && n >= LIMITS.MIN_SESSION_MINUTES && n <= LIMITS.MAX_SESSION_MINUTES;
  if (!inRange(defaultMinutes) || !inRange(maxMinutes) || defaultMinutes > maxMinutes) {
    throw new Error('the session durations are invalid');
  }
  return {
    groupName,
    target: functionArn && roleArn ? { functionArn, roleArn } : undefined,
    defaultMinutes,
    maxMinutes,
  };
}

/** `fn` over `items`, at most `concurrency` at a time, results in order. */
async function mapWithConcurrency<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
