/**
 * The contract between the construct (src/) and its Lambda handlers (lambda-src/).
 *
 * One source of truth for environment variable names, ClientMetadata keys and the
 * audit event vocabulary, so that the metric filters the construct creates match the
 * events the handlers actually write. Not exported from the package's index.
 */

/** Environment variables the construct sets on its functions. */
export const ENV = {
  ADMIN_GROUP: 'IMPERSONATION_ADMIN_GROUP',
  /** JSON array of group names; the admin group is always added by the construct. */
  PROTECTED_GROUPS: 'IMPERSONATION_PROTECTED_GROUPS',
  REQUIRE_REASON: 'IMPERSONATION_REQUIRE_REASON',
  MAX_REASON_LENGTH: 'IMPERSONATION_MAX_REASON_LENGTH',
  CLAIM_NAME: 'IMPERSONATION_CLAIM_NAME',
} as const;

/** ClientMetadata keys an admin sends at sign-in to ask for impersonation. */
export const CLIENT_METADATA = {
  TARGET: 'impersonate',
  REASON: 'impersonationReason',
} as const;

/** Names of the strategies as they appear in audit events. */
export const STRATEGY = {
  PRE_TOKEN_GENERATION: 'preTokenGeneration',
} as const;

/**
 * Which of the construct's functions wrote an audit event (`source`). A trigger that
 * refuses by throwing also counts a Lambda error; the construct's error alarm subtracts
 * these refusals so that only real failures page someone.
 */
export const SOURCE = {
  PRE_TOKEN_GENERATION: 'pre-token-generation',
} as const;

/** Audit event types. Every decision is exactly one of these. */
export const AUDIT_EVENT = {
  GRANTED: 'impersonation.granted',
  DENIED: 'impersonation.denied',
} as const;

/** Machine-readable denial reasons (`denialReason` of an `impersonation.denied` event). */
export const DENIAL_REASON = {
  NOT_ADMIN: 'NotAdmin',
  INVALID_REQUEST: 'InvalidRequest',
  REASON_REQUIRED: 'ReasonRequired',
  SELF_IMPERSONATION: 'SelfImpersonation',
  TARGET_NOT_FOUND: 'TargetNotFound',
  TARGET_DISABLED: 'TargetDisabled',
  TARGET_PROTECTED: 'TargetProtected',
  REFRESH_NOT_ALLOWED: 'RefreshNotAllowed',
  LOOKUP_FAILED: 'LookupFailed',
  MISCONFIGURED: 'Misconfigured',
  INTERNAL_ERROR: 'InternalError',
} as const;

/** Current version of the audit event schema (docs/audit-events.md). */
export const AUDIT_SCHEMA_VERSION = 1;

/**
 * With the JSON log format, the Lambda Node.js runtime writes `console.info(obj)` as
 * `{"timestamp","level","requestId","message": obj}`: audit fields live under `$.message`.
 */
export const AUDIT_FIELD_PREFIX = '$.message';

/** Default and hard limits shared by the construct's validation and the handlers. */
export const LIMITS = {
  DEFAULT_MAX_REASON_LENGTH: 256,
  MAX_REASON_LENGTH: 1024,
  /** Cognito usernames are at most 128 characters. */
  MAX_TARGET_LENGTH: 128,
} as const;
