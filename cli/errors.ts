import { BROKER_ERROR } from '../src/private/contract';

/**
 * Exit codes. Scripts branch on them: 0 done, 2 a usage mistake, 3-5 the CLI could not ask,
 * 10-28 the broker (or the Pre Token Generation trigger) asked and refused.
 * A `start` that created an approval request exits with ApprovalPending's code (nothing was granted yet).
 */
export const EXIT = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  /** An AWS call failed: network, credentials, permissions, or the broker itself crashed. */
  AWS: 3,
  /** No broker where the options point. */
  BROKER_NOT_FOUND: 4,
  /** No access token for the admin, or the admin's sign-in failed. */
  NOT_SIGNED_IN: 5,
} as const;

/** One exit code per broker error code, so that a script can tell a refusal from another. */
export const REFUSAL_EXIT: Record<string, number> = {
  [BROKER_ERROR.INVALID_REQUEST]: 10,
  [BROKER_ERROR.UNAUTHORIZED]: 11,
  [BROKER_ERROR.FORBIDDEN]: 12,
  [BROKER_ERROR.TARGET_NOT_FOUND]: 13,
  [BROKER_ERROR.TARGET_DISABLED]: 14,
  [BROKER_ERROR.TARGET_PROTECTED]: 15,
  [BROKER_ERROR.REASON_REQUIRED]: 16,
  [BROKER_ERROR.TOO_MANY_GROUPS]: 17,
  [BROKER_ERROR.INTERNAL_ERROR]: 18,
  [BROKER_ERROR.SESSION_BUSY]: 19,
  /**
   * maxAdminAuthAge: the admin's sign-in is too old to start; requireAdminMfa: it did not use MFA.
   * A new sign-in (with MFA; not a refresh) fixes it. The broker's message says which.
   */
  [BROKER_ERROR.SIGN_IN_AGAIN]: 20,
  /** limits: the admin's starts this hour, or the target's impersonations today, reached the limit. */
  [BROKER_ERROR.LIMIT_EXCEEDED]: 21,
  /** approval: the request is not decided yet (or a start just created it); ask an approver, then run the start again. */
  [BROKER_ERROR.APPROVAL_PENDING]: 22,
  /** approval: the approval cannot be used or decided (rejected, expired, used, for another request, unknown, already decided). */
  [BROKER_ERROR.APPROVAL_REFUSED]: 23,
};
/** A code this version of the CLI does not know (a newer broker). */
export const UNKNOWN_REFUSAL_EXIT = 29;

/** A failure the CLI reports as `error: <code>: <message>` and exits with. Messages carry no token. */
export class CliError extends Error {
  public readonly name = 'CliError';

  constructor(public readonly exitCode: number, public readonly code: string, message: string) {
    super(message);
  }
}

/** The broker said no: its code and fixed message, and the matching exit code. */
export class Refusal extends CliError {
  constructor(code: string, message: string) {
    super(REFUSAL_EXIT[code] ?? UNKNOWN_REFUSAL_EXIT, code, message);
  }
}

export function usage(message: string): CliError {
  return new CliError(EXIT.USAGE, 'Usage', message);
}
