import type { Lifecycle } from './lifecycle';
import { ENV, LIMITS } from '../../src/private/contract';

/** The groups handlers' configuration, as the construct sets it. */
export interface LifecycleEnvironment {
  readonly userPoolId: string;
  readonly scheduleGroup: string;
  readonly tableName: string;
  /** How long this function's claims on a session last: longer than it can run. */
  readonly leaseMs: number;
  readonly expiry?: Lifecycle['expiry'];
  readonly defaultMinutes: number;
  readonly maxMinutes: number;
}

const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:\S+$/;

/** Reads and checks the configuration; throws when something is missing or malformed (fail closed). */
export function readLifecycleEnvironment(env: NodeJS.ProcessEnv = process.env, options: { needsExpiry: boolean }): LifecycleEnvironment {
  const userPoolId = env[ENV.USER_POOL_ID];
  if (!userPoolId) throw new Error(`${ENV.USER_POOL_ID} is not set`);
  const scheduleGroup = env[ENV.SCHEDULE_GROUP];
  if (!scheduleGroup || !/^[0-9a-zA-Z-_.]{1,64}$/.test(scheduleGroup)) throw new Error(`${ENV.SCHEDULE_GROUP} is not set`);
  const tableName = env[ENV.SESSION_TABLE];
  if (!tableName || !/^[a-zA-Z0-9_.-]{3,255}$/.test(tableName)) throw new Error(`${ENV.SESSION_TABLE} is not set`);
  const leaseSeconds = Number(env[ENV.SESSION_LEASE_SECONDS]);
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 60 || leaseSeconds > 3600) throw new Error(`${ENV.SESSION_LEASE_SECONDS} is invalid`);
  const functionArn = env[ENV.END_SESSION_FUNCTION_ARN];
  const roleArn = env[ENV.SCHEDULER_ROLE_ARN];
  const deadLetterArn = env[ENV.EXPIRY_DEAD_LETTER_QUEUE_ARN] || undefined;
  const kmsKeyArn = env[ENV.SCHEDULE_KMS_KEY_ARN] || undefined;
  if (options.needsExpiry && (!functionArn || !roleArn)) throw new Error('the expiry target is not set');
  if ([functionArn, roleArn, deadLetterArn, kmsKeyArn].some((a) => a !== undefined && !ARN.test(a))) throw new Error('an ARN is malformed');
  const defaultMinutes = Number(env[ENV.DEFAULT_DURATION_MINUTES] ?? LIMITS.DEFAULT_SESSION_MINUTES);
  const maxMinutes = Number(env[ENV.MAX_DURATION_MINUTES] ?? LIMITS.DEFAULT_MAX_SESSION_MINUTES);
  const inRange = (n: number) => Number.isInteger(n) && n >= LIMITS.MIN_SESSION_MINUTES && n <= LIMITS.MAX_SESSION_MINUTES;
  if (!inRange(defaultMinutes) || !inRange(maxMinutes) || defaultMinutes > maxMinutes) throw new Error('the session durations are invalid');
  return {
    userPoolId,
    scheduleGroup,
    tableName,
    leaseMs: leaseSeconds * 1000,
    expiry: functionArn && roleArn ? { functionArn, roleArn, deadLetterArn, kmsKeyArn } : undefined,
    defaultMinutes,
    maxMinutes,
  };
}
