import { DENIAL_REASON } from '../../src/private/contract';

/** A machine-readable denial reason, as written in audit events. */
export type DenialReason = (typeof DENIAL_REASON)[keyof typeof DENIAL_REASON];

/**
 * An impersonation request that was refused. The message names the reason code only:
 * it reaches the caller (for a trigger, inside Cognito's error), so it never carries a
 * token, a secret or the details of a lookup.
 */
export class ImpersonationRefused extends Error {
  public readonly name = 'ImpersonationRefused';

  constructor(public readonly denialReason: DenialReason) {
    super(`Impersonation refused: ${denialReason}`);
  }
}

/** The denial reason to audit for an error: a refusal's own, anything unexpected is an InternalError. */
export function denialReasonOf(err: unknown): DenialReason {
  return err instanceof ImpersonationRefused ? err.denialReason : DENIAL_REASON.INTERNAL_ERROR;
}

/** The `name` of an SDK error (`UserNotFoundException`, `ResourceNotFoundException`, …), if any. */
export function errorNameOf(err: unknown): string | undefined {
  return (err as { name?: string } | undefined)?.name;
}
