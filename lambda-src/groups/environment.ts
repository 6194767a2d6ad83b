import type { ScheduleTarget } from './session-store';
import { ENV, LIMITS } from '../../src/private/contract';

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
