import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { isScheduleName } from './schedule-names';
import { parseSession, type GroupsSession } from './session';
import { LIMITS } from '../../src/private/contract';
import { errorNameOf } from '../common/errors';

/** Where sessions live and what their schedules invoke. */
export interface SessionStore {
  readonly scheduler: SchedulerClient;
  readonly groupName: string;
}

/** The session in schedule `scheduleName`, or undefined when there is none (ended, or not ours). */
export async function readSession(store: SessionStore, scheduleName: string): Promise<GroupsSession | undefined> {
  let input: string | undefined;
  try {
    const out = await store.scheduler.send(new GetScheduleCommand({ GroupName: store.groupName, Name: scheduleName }));
    input = out.Target?.Input;
  } catch (err) {
    if (errorNameOf(err) === 'ResourceNotFoundException') return undefined;
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
    if (errorNameOf(err) !== 'ResourceNotFoundException') throw err;
  }
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
