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
  /** Which strategy a shared handler (the Pre Token Generation trigger) serves. */
  STRATEGY: 'IMPERSONATION_STRATEGY',
  USER_POOL_ID: 'IMPERSONATION_USER_POOL_ID',
  /** The dedicated app client of the customChallenge strategy (broker only). */
  CLIENT_ID: 'IMPERSONATION_CLIENT_ID',
  /**
   * Name of the SSM parameter holding the dedicated client's id, for triggers: the pool
   * depends on its triggers, so a trigger cannot reference the client (a circular reference).
   */
  CLIENT_ID_PARAMETER: 'IMPERSONATION_CLIENT_ID_PARAMETER',
  SECRET_ARN: 'IMPERSONATION_SECRET_ARN',
  KEY_CACHE_SECONDS: 'IMPERSONATION_KEY_CACHE_SECONDS',
  /** customChallenge: JSON array of further scopes to suppress on impersonation access tokens (V2_0). */
  SUPPRESSED_SCOPES: 'IMPERSONATION_SUPPRESSED_SCOPES',
  TOKEN_VALIDITY_SECONDS: 'IMPERSONATION_TOKEN_VALIDITY_SECONDS',
  /** groups: the construct's schedule group, where each session is one one-time schedule. */
  SCHEDULE_GROUP: 'IMPERSONATION_SCHEDULE_GROUP',
  /** groups: the EndSession function the session schedules invoke at expiry (broker only). */
  END_SESSION_FUNCTION_ARN: 'IMPERSONATION_END_SESSION_FUNCTION_ARN',
  /** groups: the role EventBridge Scheduler invokes EndSession with (broker only). */
  SCHEDULER_ROLE_ARN: 'IMPERSONATION_SCHEDULER_ROLE_ARN',
  /** groups: session length when the request names none, and the longest one allowed, in minutes. */
  DEFAULT_DURATION_MINUTES: 'IMPERSONATION_DEFAULT_DURATION_MINUTES',
  MAX_DURATION_MINUTES: 'IMPERSONATION_MAX_DURATION_MINUTES',
  /** Broker (maxAdminAuthAge): a `start` needs an admin sign-in (`auth_time`) at most this many seconds old. */
  MAX_ADMIN_AUTH_AGE_SECONDS: 'IMPERSONATION_MAX_ADMIN_AUTH_AGE_SECONDS',
  /** Broker (limits): the most starts one admin may make per clock hour. */
  MAX_STARTS_PER_ADMIN_PER_HOUR: 'IMPERSONATION_MAX_STARTS_PER_ADMIN_PER_HOUR',
  /** Broker (limits): the most impersonations of one target per UTC day. */
  MAX_STARTS_PER_TARGET_PER_DAY: 'IMPERSONATION_MAX_STARTS_PER_TARGET_PER_DAY',
  /** Broker (requireAdminMfa): `true` when a `start` needs an admin sign-in that passed MFA; unset otherwise. */
  REQUIRE_ADMIN_MFA: 'IMPERSONATION_REQUIRE_ADMIN_MFA',
  /** groups: the session table (one item per admin). */
  SESSION_TABLE: 'IMPERSONATION_SESSION_TABLE',
  /** groups: how long this function's claim on a session lasts, in seconds (longer than its timeout). */
  SESSION_LEASE_SECONDS: 'IMPERSONATION_SESSION_LEASE_SECONDS',
  /** groups: the SQS queue expiry schedules dead-letter to (broker only). */
  EXPIRY_DEAD_LETTER_QUEUE_ARN: 'IMPERSONATION_EXPIRY_DEAD_LETTER_QUEUE_ARN',
  /** groups: the customer managed key expiry schedules are encrypted with, if any (broker only). */
  SCHEDULE_KMS_KEY_ARN: 'IMPERSONATION_SCHEDULE_KMS_KEY_ARN',
  /** Broker: the table of its state across requests (approvals, volume counters), when a feature needs one. */
  BROKER_STATE_TABLE: 'IMPERSONATION_BROKER_STATE_TABLE',
  /** Broker (approval): the group whose members approve or reject; set only when approval is on. */
  APPROVER_GROUP: 'IMPERSONATION_APPROVER_GROUP',
  /** Broker (approval): how long a request waits for a decision, in seconds. */
  APPROVAL_TIMEOUT_SECONDS: 'IMPERSONATION_APPROVAL_TIMEOUT_SECONDS',
  /** Broker (approval): how long the requester has to complete an approved start, in seconds. */
  APPROVAL_WINDOW_SECONDS: 'IMPERSONATION_APPROVAL_WINDOW_SECONDS',
  /** Broker (approval): JSON array of groups; only targets in one of them need approval. Unset: every target. */
  APPROVAL_TARGET_GROUPS: 'IMPERSONATION_APPROVAL_TARGET_GROUPS',
  /** Events publisher: the ARN of the EventBridge bus it publishes to. */
  EVENT_BUS: 'IMPERSONATION_EVENT_BUS',
  /** Events publisher: the queue that keeps the events EventBridge refused. */
  EVENTS_DEAD_LETTER_QUEUE_URL: 'IMPERSONATION_EVENTS_DLQ_URL',
} as const;

/** The broker state table: item kinds (the prefix of `pk`) and the TTL attribute (epoch seconds). */
export const BROKER_STATE = {
  TTL_ATTRIBUTE: 'ttl',
  PREFIX: {
    APPROVAL: 'approval#',
    ADMIN_STARTS: 'starts-by-admin#',
    TARGET_STARTS: 'starts-of-target#',
  },
} as const;

/** ClientMetadata keys an admin sends at sign-in to ask for impersonation. */
export const CLIENT_METADATA = {
  TARGET: 'impersonate',
  REASON: 'impersonationReason',
} as const;

/** Names of the strategies as they appear in audit events. */
export const STRATEGY = {
  PRE_TOKEN_GENERATION: 'preTokenGeneration',
  CUSTOM_CHALLENGE: 'customChallenge',
  GROUPS: 'groups',
} as const;

/**
 * Which of the construct's functions wrote an audit event (`source`). A trigger that
 * refuses by throwing also counts a Lambda error; the construct's error alarm subtracts
 * these refusals so that only real failures page someone.
 */
export const SOURCE = {
  PRE_TOKEN_GENERATION: 'pre-token-generation',
  DEFINE_AUTH_CHALLENGE: 'define-auth-challenge',
  CREATE_AUTH_CHALLENGE: 'create-auth-challenge',
  VERIFY_AUTH_CHALLENGE: 'verify-auth-challenge',
  BROKER: 'broker',
  ROTATE_KEY: 'rotate-key',
  /** groups: ends a session when its schedule fires (or when an operator invokes it). */
  END_SESSION: 'end-session',
  /** groups: the recurring sweep that ends sessions whose expiry was missed. */
  SWEEPER: 'sweeper',
  /** groups: ends every session when the construct is deleted (custom resource). */
  END_ALL_SESSIONS: 'end-all-sessions',
  /** With publishEvents: publishes starts, ends and denials to EventBridge (writes no decision). */
  PUBLISH_EVENTS: 'publish-events',
} as const;

/** Audit event types. Every decision is exactly one of these. */
export const AUDIT_EVENT = {
  GRANTED: 'impersonation.granted',
  DENIED: 'impersonation.denied',
  /** customChallenge: Cognito issued the target's tokens, marked with `act`. */
  TOKEN_ISSUED: 'impersonation.token_issued',
  /** customChallenge: a custom-auth challenge was refused (wrong client, bad or expired assertion). */
  CHALLENGE_FAILED: 'challenge.failed',
  KEY_ROTATED: 'key.rotated',
  KEY_ROTATION_FAILED: 'key.rotation_failed',
  /** customChallenge: an operator revoked the previous signing key (AWSPREVIOUS removed). */
  KEY_PREVIOUS_REVOKED: 'key.previous_revoked',
  /** groups: a session ended; its added groups were removed and the admin signed out (`cause`). */
  ENDED: 'impersonation.ended',
  /** groups: ending a session failed; the session and its schedule remain, and the end is retried. */
  END_FAILED: 'impersonation.end_failed',
  /** groups: an admin listed the active sessions. */
  SESSIONS_LISTED: 'impersonation.sessions_listed',
  /** approval: a `start` that needs approval created a pending request (nothing was granted yet). */
  APPROVAL_REQUESTED: 'impersonation.approval_requested',
  /** approval: a member of the approver group (not the requester) approved a pending request. */
  APPROVED: 'impersonation.approved',
  /** approval: a member of the approver group (not the requester) rejected a pending request. */
  REJECTED: 'impersonation.rejected',
  /** approval: someone listed the requests they may decide and their own. */
  APPROVALS_LISTED: 'impersonation.approvals_listed',
  /** Events publisher (not a decision): events EventBridge refused went to the dead-letter queue. */
  EVENTS_PUBLISH_FAILED: 'events.publish_failed',
} as const;

/**
 * The EventBridge events the construct publishes (with `publishEvents`): their `source`, and
 * the `detail-type` of each audit event published. Nothing else is published.
 */
export const EVENTBRIDGE = {
  SOURCE: 'cdk-cognito-impersonation',
  DETAIL_TYPE: {
    [AUDIT_EVENT.GRANTED]: 'Impersonation Started',
    [AUDIT_EVENT.ENDED]: 'Impersonation Ended',
    [AUDIT_EVENT.DENIED]: 'Impersonation Denied',
    /** So that teams can notify the approvers. */
    [AUDIT_EVENT.APPROVAL_REQUESTED]: 'Impersonation Approval Requested',
  } as Readonly<Record<string, string>>,
  /** Version of the `detail` schema (docs/audit-events.md). */
  SCHEMA_VERSION: 1,
} as const;

/** Why a groups session ended (`cause` of an `impersonation.ended` event). */
export const END_CAUSE = {
  /** The admin ended it through the broker. */
  EXPLICIT: 'explicit',
  /** Its schedule fired at `expiresAt`. */
  EXPIRED: 'expired',
  /** The admin started another session. */
  SUPERSEDED: 'superseded',
  /** An operator invoked the EndSession function with the session before it expired. */
  REVOKED: 'revoked',
  /** The sweeper ended a session that a start or end left behind when it died. */
  RECOVERED: 'recovered',
  /** The construct was deleted. */
  DELETED: 'deleted',
} as const;

/** Why a challenge failed (`failureReason` of a `challenge.failed` event). */
export const CHALLENGE_FAILURE = {
  WRONG_CLIENT: 'WrongClient',
  MALFORMED: 'MalformedAnswer',
  EXPIRED: 'Expired',
  BAD_SIGNATURE: 'BadSignature',
  UNEXPECTED_FLOW: 'UnexpectedFlow',
  UNKNOWN_USER: 'UnknownUser',
  /** The key or the client id could not be read: refused, never allowed. */
  UNAVAILABLE: 'Unavailable',
} as const;

/** The scope that authorizes Cognito's self-service APIs as the token's user: never on an impersonation token. */
export const SELF_SERVICE_SCOPE = 'aws.cognito.signin.user.admin';

/** ClientMetadata key the broker uses to hand the signed assertion to Verify and Pre Token Generation. */
export const ASSERTION_METADATA_KEY = 'impersonationAssertion';

/** Error codes of the broker's `{ "error": { "code", "message" } }` responses. */
export const BROKER_ERROR = {
  INVALID_REQUEST: 'InvalidRequest',
  UNAUTHORIZED: 'Unauthorized',
  FORBIDDEN: 'Forbidden',
  TARGET_NOT_FOUND: 'TargetNotFound',
  TARGET_DISABLED: 'TargetDisabled',
  TARGET_PROTECTED: 'TargetProtected',
  REASON_REQUIRED: 'ReasonRequired',
  /** groups: the admin would end up in more than Cognito's 100 groups per user. */
  TOO_MANY_GROUPS: 'TooManyGroups',
  /** groups: another request of the same admin is starting or ending a session; try again in a moment. */
  SESSION_BUSY: 'SessionBusy',
  INTERNAL_ERROR: 'InternalError',
  /**
   * maxAdminAuthAge: the admin signed in too long ago to start an impersonation; requireAdminMfa: the
   * admin's sign-in did not use MFA. Either way: sign in again (with MFA); a refresh keeps the old sign-in.
   */
  SIGN_IN_AGAIN: 'SignInAgain',
  /** limits: the admin's starts this hour, or the target's impersonations today, reached the limit; try again later. */
  LIMIT_EXCEEDED: 'LimitExceeded',
  /** approval: the request has not been decided yet; ask an approver, then try again. */
  APPROVAL_PENDING: 'ApprovalPending',
  /** approval: the approval cannot be used or decided (rejected, expired, used, bound to another request, unknown, already decided). */
  APPROVAL_REFUSED: 'ApprovalRefused',
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
  /** The broker could not verify the caller's access token. */
  UNAUTHENTICATED: 'Unauthenticated',
  /** The caller's access token verifies offline, but Cognito says it was revoked (sign-out, RevokeToken). */
  TOKEN_REVOKED: 'TokenRevoked',
  /** The caller's access token is not bound to a live user of its `sub` and `username` (a deleted or reused account). */
  SUB_MISMATCH: 'SubMismatch',
  /** customChallenge: a token generation on the dedicated client carried no assertion. */
  ASSERTION_MISSING: 'AssertionMissing',
  /** A token issued on the dedicated client without a valid broker assertion. */
  ASSERTION_INVALID: 'AssertionInvalid',
  /** The broker's custom-auth sign-in of the target did not complete. */
  SIGN_IN_FAILED: 'SignInFailed',
  /** The broker does not offer this action for its strategy. */
  UNSUPPORTED_ACTION: 'UnsupportedAction',
  /** groups: `durationMinutes` is outside 5 minutes .. the strategy's `maxDuration`. */
  DURATION_OUT_OF_RANGE: 'DurationOutOfRange',
  /** groups: the admin's groups plus the target's would exceed 100. Nothing was changed. */
  TOO_MANY_GROUPS: 'TooManyGroups',
  /** groups: the session's schedule could not be created; nothing was changed. */
  SCHEDULE_FAILED: 'ScheduleFailed',
  /** groups: another request of the same admin is starting or ending a session right now; try again. */
  SESSION_BUSY: 'SessionBusy',
  /** groups: adding or removing a group failed; what this request added was removed again. */
  GROUP_CHANGE_FAILED: 'GroupChangeFailed',
  /** maxAdminAuthAge: the admin's access token comes from a sign-in (`auth_time`) older than allowed; nothing was started. */
  SIGN_IN_TOO_OLD: 'SignInTooOld',
  /** limits: the admin already started `maxStartsPerAdminPerHour` impersonations this clock hour. */
  ADMIN_LIMIT_REACHED: 'AdminLimitReached',
  /** limits: the target was already impersonated `maxStartsPerTargetPerDay` times this UTC day. */
  TARGET_LIMIT_REACHED: 'TargetLimitReached',
  /**
   * requireAdminMfa: the pool does not report that the sign-in of the admin's access token (`auth_time`)
   * passed an MFA challenge (no such sign-in among the admin's latest, or one without MFA); nothing was started.
   */
  MFA_REQUIRED: 'MfaRequired',
  /** approval: `approve`, `reject` by someone who is not a live, enabled member of the approver group. */
  NOT_APPROVER: 'NotApprover',
  /** approval: the requester tried to approve or reject their own request. Nothing was changed. */
  SELF_APPROVAL: 'SelfApproval',
  /** approval: the approval named does not exist (or its item is gone after its TTL). */
  APPROVAL_NOT_FOUND: 'ApprovalNotFound',
  /** approval: the approval is still waiting for a decision. */
  APPROVAL_PENDING: 'ApprovalPending',
  /** approval: the request was rejected. */
  APPROVAL_REJECTED: 'ApprovalRejected',
  /** approval: the request was not decided before its timeout, or not used within its completion window. */
  APPROVAL_EXPIRED: 'ApprovalExpired',
  /** approval: the approval was already used by a start (each grants at most one). */
  APPROVAL_USED: 'ApprovalUsed',
  /** approval: the approval is bound to another requester, target, reason, strategy or duration. */
  APPROVAL_MISMATCH: 'ApprovalMismatch',
  /** approval: `approve` or `reject` of a request that was already approved. */
  APPROVAL_ALREADY_APPROVED: 'ApprovalAlreadyApproved',
  LOOKUP_FAILED: 'LookupFailed',
  MISCONFIGURED: 'Misconfigured',
  INTERNAL_ERROR: 'InternalError',
} as const;

/** Value shapes that the construct's validation and the handlers both check. */
export const PATTERN = {
  /** A Cognito group name: 1-128 visible Unicode characters (letters, marks, symbols, numbers, punctuation). */
  GROUP_NAME: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u,
  /** A lowercase UUID, the form of Cognito's `sub` and of a session id. */
  UUID: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  /** A Cognito app client id, as Cognito writes it into `client_id`. */
  CLIENT_ID: /^[\w+]{1,128}$/,
  /** An OAuth 2.0 scope-token (RFC 6749, section 3.3): visible ASCII but space, `"` and `\\`. */
  SCOPE: /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/,
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
  /** A broker request larger than this is refused unread. */
  MAX_BROKER_REQUEST_BYTES: 16384,
  /** How long a signed assertion is accepted, in seconds: one sign-in, not a session. */
  ASSERTION_LIFETIME_SECONDS: 60,
  /** How long a container trusts its copy of the signing keys: the longest a revoked key is still accepted. */
  DEFAULT_KEY_CACHE_SECONDS: 60,
  /** A failed check refreshes the keys at most this often per container (new key picked up at once, no hammering). */
  KEY_REFRESH_INTERVAL_SECONDS: 30,
  /** groups: Cognito's limit on the groups one user can be in. */
  MAX_GROUPS_PER_USER: 100,
  /** groups: the shortest session, and the hard limit on `maxDuration` (12 hours), in minutes. */
  MIN_SESSION_MINUTES: 5,
  MAX_SESSION_MINUTES: 720,
  DEFAULT_SESSION_MINUTES: 15,
  DEFAULT_MAX_SESSION_MINUTES: 60,
  /** maxAdminAuthAge: whole minutes, from 1 minute to 1 day (the longest an access token lives). */
  MIN_ADMIN_AUTH_AGE_MINUTES: 1,
  MAX_ADMIN_AUTH_AGE_MINUTES: 1440,
  /** groups: `list` reads at most this many sessions (one GetSchedule each). */
  MAX_LISTED_SESSIONS: 200,
  /** limits: each limit (starts per admin per hour, per target per day) is a whole number from 1 to this. */
  MAX_VOLUME_LIMIT: 10000,
  /** approval: how long a request waits for a decision, in minutes (default, least, most). */
  DEFAULT_APPROVAL_TIMEOUT_MINUTES: 30,
  MIN_APPROVAL_TIMEOUT_MINUTES: 1,
  MAX_APPROVAL_TIMEOUT_MINUTES: 1440,
  /** approval: how long the requester has to complete an approved start, in minutes (default, least, most). */
  DEFAULT_APPROVAL_WINDOW_MINUTES: 10,
  MIN_APPROVAL_WINDOW_MINUTES: 1,
  MAX_APPROVAL_WINDOW_MINUTES: 60,
  /** approval: an approval's item stays this many days after it stops deciding anything (answers `pending`, then TTL). */
  APPROVAL_RETENTION_DAYS: 7,
  /** approval: `pending` reads at most this many pages of the state table, and lists at most this many requests. */
  MAX_APPROVAL_SCAN_PAGES: 10,
  MAX_LISTED_APPROVALS: 100,
} as const;
