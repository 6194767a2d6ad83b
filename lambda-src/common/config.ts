import { ENV, LIMITS } from '../../src/private/contract';

/** What a handler needs to decide, read from its environment. */
export interface ImpersonationConfig {
  readonly adminGroupName: string;
  /** Always contains the admin group: an impersonator never becomes another admin. */
  readonly protectedGroupNames: ReadonlySet<string>;
  readonly requireReason: boolean;
  readonly maxReasonLength: number;
  readonly claimName: string;
}

/**
 * Reads and validates the configuration. Throws when it is missing or malformed, so a
 * misconfigured function refuses impersonation instead of guessing (fail closed).
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ImpersonationConfig {
  const adminGroupName = required(env, ENV.ADMIN_GROUP);
  const protectedRaw = env[ENV.PROTECTED_GROUPS] ?? '[]';
  let protectedList: unknown;
  try {
    protectedList = JSON.parse(protectedRaw);
  } catch {
    throw new Error(`${ENV.PROTECTED_GROUPS} is not valid JSON`);
  }
  if (!Array.isArray(protectedList) || !protectedList.every((g) => typeof g === 'string')) {
    throw new Error(`${ENV.PROTECTED_GROUPS} must be a JSON array of strings`);
  }
  const maxReasonLength = Number(env[ENV.MAX_REASON_LENGTH] ?? LIMITS.DEFAULT_MAX_REASON_LENGTH);
  if (!Number.isInteger(maxReasonLength) || maxReasonLength < 1 || maxReasonLength > LIMITS.MAX_REASON_LENGTH) {
    throw new Error(`${ENV.MAX_REASON_LENGTH} must be an integer from 1 to ${LIMITS.MAX_REASON_LENGTH}`);
  }
  return {
    adminGroupName,
    protectedGroupNames: new Set([adminGroupName, ...protectedList]),
    // Anything but an explicit "false" requires a reason.
    requireReason: env[ENV.REQUIRE_REASON] !== 'false',
    maxReasonLength,
    claimName: env[ENV.CLAIM_NAME] ?? 'impersonating',
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}
