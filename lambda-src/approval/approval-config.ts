import { ENV, LIMITS, PATTERN } from '../../src/private/contract';

/** The approval configuration the construct sets on the broker (without the table). */
export interface ApprovalConfig {
  readonly approverGroupName: string;
  readonly timeoutMs: number;
  readonly windowMs: number;
  readonly targetGroups?: ReadonlySet<string>;
}

/**
 * Reads the approval configuration: undefined when approval is off (no approver group set).
 * Throws when it is on but malformed, so that the broker refuses every request instead of
 * starting impersonations without approval (fail closed).
 */
export function readApprovalConfig(env: NodeJS.ProcessEnv = process.env): ApprovalConfig | undefined {
  const approverGroupName = env[ENV.APPROVER_GROUP];
  if (approverGroupName === undefined) return undefined;
  if (!PATTERN.GROUP_NAME.test(approverGroupName)) throw new Error(`${ENV.APPROVER_GROUP} is not a group name`);
  const seconds = (name: string, minMinutes: number, maxMinutes: number): number => {
    const raw = env[name] ?? '';
    const value = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= minMinutes * 60 && value <= maxMinutes * 60)) throw new Error(`${name} is invalid`);
    return value * 1000;
  };
  const timeoutMs = seconds(ENV.APPROVAL_TIMEOUT_SECONDS, LIMITS.MIN_APPROVAL_TIMEOUT_MINUTES, LIMITS.MAX_APPROVAL_TIMEOUT_MINUTES);
  const windowMs = seconds(ENV.APPROVAL_WINDOW_SECONDS, LIMITS.MIN_APPROVAL_WINDOW_MINUTES, LIMITS.MAX_APPROVAL_WINDOW_MINUTES);
  const rawTargets = env[ENV.APPROVAL_TARGET_GROUPS];
  let targetGroups: Set<string> | undefined;
  if (rawTargets !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawTargets);
    } catch {
      throw new Error(`${ENV.APPROVAL_TARGET_GROUPS} is not valid JSON`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((g) => typeof g === 'string' && PATTERN.GROUP_NAME.test(g))) {
      throw new Error(`${ENV.APPROVAL_TARGET_GROUPS} must be a non-empty JSON array of group names`);
    }
    targetGroups = new Set(parsed);
  }
  return { approverGroupName, timeoutMs, windowMs, targetGroups };
}
