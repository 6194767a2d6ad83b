import { DENIAL_REASON, LIMITS, PATTERN } from '../../src/private/contract';
import type { BrokerAction, BrokerRequest } from '../common/broker-action';
import { ImpersonationRefused } from '../common/errors';

const ACTIONS: readonly BrokerAction[] = ['start', 'end', 'list', 'approve', 'reject', 'pending'];
const KNOWN_FIELDS = new Set(['action', 'accessToken', 'target', 'reason', 'sessionId', 'durationMinutes', 'approvalId']);
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SESSION_ID = /^[0-9a-f-]{36}$/;

/**
 * Checks the envelope of a broker request: an object of known fields, within the size limit,
 * with an action the broker knows and something shaped like a JWT. Throws InvalidRequest.
 */
export function parseBrokerRequest(event: unknown): BrokerRequest {
  const invalid = () => new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(event) ?? '');
  } catch {
    throw invalid();
  }
  if (size > LIMITS.MAX_BROKER_REQUEST_BYTES || typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw invalid();
  }
  const body = event as Record<string, unknown>;
  if (Object.keys(body).some((k) => !KNOWN_FIELDS.has(k))) throw invalid();
  const action = body.action ?? 'start';
  if (typeof action !== 'string' || !ACTIONS.includes(action as BrokerAction)) throw invalid();
  if (typeof body.accessToken !== 'string' || body.accessToken.length > 8192 || !JWT.test(body.accessToken)) throw invalid();
  if (body.sessionId !== undefined && (typeof body.sessionId !== 'string' || !SESSION_ID.test(body.sessionId))) throw invalid();
  if (body.durationMinutes !== undefined && (typeof body.durationMinutes !== 'number' || !Number.isSafeInteger(body.durationMinutes))) {
    throw invalid();
  }
  if (body.approvalId !== undefined && (typeof body.approvalId !== 'string' || !PATTERN.UUID.test(body.approvalId))) throw invalid();
  return {
    action: action as BrokerAction,
    accessToken: body.accessToken,
    target: body.target,
    reason: body.reason,
    sessionId: body.sessionId as string | undefined,
    durationMinutes: body.durationMinutes as number | undefined,
    approvalId: body.approvalId as string | undefined,
  };
}
