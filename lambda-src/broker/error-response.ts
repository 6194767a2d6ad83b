import { BROKER_ERROR, DENIAL_REASON } from '../../src/private/contract';
import { ImpersonationRefused, type DenialReason } from '../common/errors';

/** A broker error code. */
export type BrokerErrorCode = (typeof BROKER_ERROR)[keyof typeof BROKER_ERROR];

/** The broker's error response. Messages are fixed texts: nothing from a lookup, a token or a secret. */
export interface BrokerErrorResponse {
  readonly error: { readonly code: BrokerErrorCode; readonly message: string };
}

const UNAUTHORIZED = 'The access token is missing, invalid or expired.';

const BY_DENIAL: Partial<Record<DenialReason, [BrokerErrorCode, string]>> = {
  [DENIAL_REASON.INVALID_REQUEST]: [BROKER_ERROR.INVALID_REQUEST, 'The request is malformed.'],
  [DENIAL_REASON.UNSUPPORTED_ACTION]: [BROKER_ERROR.INVALID_REQUEST, 'This action is not offered by the configured strategy.'],
  [DENIAL_REASON.UNAUTHENTICATED]: [BROKER_ERROR.UNAUTHORIZED, UNAUTHORIZED],
  // Revoked or not bound to a live user: the caller learns no more than for any bad token.
  [DENIAL_REASON.TOKEN_REVOKED]: [BROKER_ERROR.UNAUTHORIZED, UNAUTHORIZED],
  [DENIAL_REASON.SUB_MISMATCH]: [BROKER_ERROR.UNAUTHORIZED, UNAUTHORIZED],
  [DENIAL_REASON.NOT_ADMIN]: [BROKER_ERROR.FORBIDDEN, 'You are not allowed to impersonate.'],
  [DENIAL_REASON.SELF_IMPERSONATION]: [BROKER_ERROR.FORBIDDEN, 'You cannot impersonate yourself.'],
  [DENIAL_REASON.REASON_REQUIRED]: [BROKER_ERROR.REASON_REQUIRED, 'A reason is required.'],
  [DENIAL_REASON.TARGET_NOT_FOUND]: [BROKER_ERROR.TARGET_NOT_FOUND, 'No such user.'],
  [DENIAL_REASON.TARGET_DISABLED]: [BROKER_ERROR.TARGET_DISABLED, 'The user is disabled.'],
  [DENIAL_REASON.TARGET_PROTECTED]: [BROKER_ERROR.TARGET_PROTECTED, 'The user is in a protected group.'],
  [DENIAL_REASON.DURATION_OUT_OF_RANGE]: [BROKER_ERROR.INVALID_REQUEST, 'durationMinutes is outside the allowed range.'],
  [DENIAL_REASON.TOO_MANY_GROUPS]: [BROKER_ERROR.TOO_MANY_GROUPS,
    'You would be in more than 100 groups (Cognito\'s limit) with the target\'s groups added. Nothing was changed.'],
  [DENIAL_REASON.SIGN_IN_TOO_OLD]: [BROKER_ERROR.SIGN_IN_AGAIN,
    'Your sign-in is too old to start an impersonation (refreshing the token does not renew it). Sign in again.'],
  [DENIAL_REASON.ADMIN_LIMIT_REACHED]: [BROKER_ERROR.LIMIT_EXCEEDED,
    'You have reached the number of impersonations allowed per hour. Nothing was changed. Try again next hour.'],
  [DENIAL_REASON.TARGET_LIMIT_REACHED]: [BROKER_ERROR.LIMIT_EXCEEDED,
    'This user has been impersonated as often as allowed today. Nothing was changed. Try again tomorrow (UTC).'],
  [DENIAL_REASON.MFA_REQUIRED]: [BROKER_ERROR.SIGN_IN_AGAIN,
    'Starting an impersonation needs a sign-in with MFA; the pool reports none for this token (refreshing the token '
      + 'does not renew its sign-in). Sign in again with MFA.'],
  [DENIAL_REASON.SESSION_BUSY]: [BROKER_ERROR.SESSION_BUSY,
    'Another request of yours is starting or ending a session right now. Try again in a moment.'],
  // Approval (four-eyes): the refusal names the state of the request, never more.
  [DENIAL_REASON.NOT_APPROVER]: [BROKER_ERROR.FORBIDDEN, 'You are not allowed to approve or reject impersonation requests.'],
  [DENIAL_REASON.SELF_APPROVAL]: [BROKER_ERROR.FORBIDDEN, 'You cannot approve or reject your own request.'],
  [DENIAL_REASON.APPROVAL_PENDING]: [BROKER_ERROR.APPROVAL_PENDING,
    'The request has not been approved yet. Ask a member of the approver group, then try again.'],
  [DENIAL_REASON.APPROVAL_NOT_FOUND]: [BROKER_ERROR.APPROVAL_REFUSED, 'No such approval request.'],
  [DENIAL_REASON.APPROVAL_REJECTED]: [BROKER_ERROR.APPROVAL_REFUSED, 'The request was rejected.'],
  [DENIAL_REASON.APPROVAL_EXPIRED]: [BROKER_ERROR.APPROVAL_REFUSED,
    'The request expired (not decided in time, or not used within its completion window). Request a new approval.'],
  [DENIAL_REASON.APPROVAL_USED]: [BROKER_ERROR.APPROVAL_REFUSED, 'The approval was already used. Request a new approval.'],
  [DENIAL_REASON.APPROVAL_MISMATCH]: [BROKER_ERROR.APPROVAL_REFUSED,
    'The approval is for another request: start with the same target, reason and duration it was requested for.'],
  [DENIAL_REASON.APPROVAL_ALREADY_APPROVED]: [BROKER_ERROR.APPROVAL_REFUSED, 'The request was already approved.'],
};

/** The error response for a refusal (anything unexpected is an InternalError). */
export function errorResponse(err: unknown): BrokerErrorResponse {
  const mapped = err instanceof ImpersonationRefused ? BY_DENIAL[err.denialReason] : undefined;
  const [code, message] = mapped ?? [BROKER_ERROR.INTERNAL_ERROR, 'The request could not be completed.'];
  return { error: { code, message } };
}
