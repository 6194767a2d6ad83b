import type { ImpersonationConfig } from './config';
import { ImpersonationRefused } from './errors';
import { CLIENT_METADATA, DENIAL_REASON, LIMITS } from '../../src/private/contract';

/** What an admin asked for: whom to impersonate, and why. */
export interface ImpersonationRequest {
  readonly target: string;
  readonly reason?: string;
}

// Control characters (C0, DEL and C1, e.g. U+0085 NEL) and invisible formatting characters
// (zero-width, bidirectional overrides that reorder displayed text, BOM) have no place in a
// username or a reason: they would make audit records misleading to read. (JSON encoding
// already prevents log-line injection.)
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/**
 * True when ClientMetadata asks for impersonation. Cheap on purpose: every sign-in of
 * the pool calls it, and an ordinary sign-in must cost nothing more than this check.
 */
export function asksForImpersonation(clientMetadata: Record<string, string> | undefined): boolean {
  return clientMetadata !== undefined && clientMetadata !== null
    && (CLIENT_METADATA.TARGET in clientMetadata || CLIENT_METADATA.REASON in clientMetadata);
}

/**
 * Validates an impersonation request from ClientMetadata. Throws ImpersonationRefused
 * (InvalidRequest or ReasonRequired) for anything malformed.
 */
export function parseImpersonationRequest(
  clientMetadata: Record<string, unknown>,
  config: ImpersonationConfig,
): ImpersonationRequest {
  return validateImpersonationRequest(clientMetadata[CLIENT_METADATA.TARGET], clientMetadata[CLIENT_METADATA.REASON], config);
}

/**
 * Validates whom and why, wherever they come from (ClientMetadata, a broker request).
 * Throws ImpersonationRefused (InvalidRequest or ReasonRequired) for anything malformed.
 */
export function validateImpersonationRequest(target: unknown, rawReason: unknown, config: ImpersonationConfig): ImpersonationRequest {
  if (typeof target !== 'string' || target.trim() === '' || target.length > LIMITS.MAX_TARGET_LENGTH
    || CONTROL_CHARACTERS.test(target)) {
    throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
  }
  const reason = validateNote(rawReason, config.maxReasonLength);
  if (config.requireReason && !reason) {
    throw new ImpersonationRefused(DENIAL_REASON.REASON_REQUIRED);
  }
  return { target: target.trim(), reason };
}

/**
 * Validates free text such as a reason or a rejection note: a string of at most `maxLength`
 * characters (once trimmed) without control or invisible formatting characters. Returns it
 * trimmed, or undefined when empty or absent. Throws ImpersonationRefused (InvalidRequest).
 */
export function validateNote(raw: unknown, maxLength: number): string | undefined {
  if (raw !== undefined && typeof raw !== 'string') {
    throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
  }
  const note = raw?.trim();
  if (note !== undefined && (note.length > maxLength || CONTROL_CHARACTERS.test(note))) {
    throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
  }
  return note || undefined;
}

/** A value from untrusted input, bounded so that it is safe to put in an audit event. */
export function boundedForAudit(value: unknown, max: number = LIMITS.MAX_TARGET_LENGTH): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
