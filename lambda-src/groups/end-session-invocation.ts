import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Context } from 'aws-lambda';
import { readGroupsEnvironment } from './environment';
import { undoSession } from './group-changes';
import { isScheduleName, isUuid } from './schedule-names';
import type { GroupsSession } from './session';
import { readSession, type SessionStore } from './session-store';
import { AUDIT_EVENT, DENIAL_REASON, END_CAUSE, ENV, SOURCE, STRATEGY } from '../../src/private/contract';
import { auditWriter } from '../common/audit';
import { awsClient } from '../common/aws-clients';

/** What EndSession answers (the scheduler ignores it; an operator invoking it reads it). */
export interface EndSessionResult {
  readonly ended: boolean;
  readonly sessionId?: string;
  readonly groupsRemoved?: readonly string[];
}

/**
 * Before expiresAt by more than this, an invocation is an operator's revocation, not the
 * schedule firing (which is never early; a minute absorbs any clock difference).
 */
const EXPIRY_TOLERANCE_MS = 60_000;

/**
 * EndSession: invoked by a session's schedule at expiresAt with the session (the schedule's
 * Input), or by an operator with the same JSON to end a session early. Only `scheduleName`
 * and `sessionId` are taken from the event: the session itself (whose groups to remove, from
 * whom) is read from the schedule, so an invocation can only ever end a session the broker
 * started. Exactly one audit event per invocation. On failure it throws, so that Lambda
 * retries it and the function's errors alarm goes off; the schedule is kept until the
 * session has ended.
 */
export async function handleEndSessionInvocation(event: unknown, context: Pick<Context, 'awsRequestId'>, now: number = Date.now()): Promise<EndSessionResult> {
  const userPoolId = process.env[ENV.USER_POOL_ID] ?? '';
  const audit = auditWriter({ strategy: STRATEGY.GROUPS, source: SOURCE.END_SESSION, userPoolId, requestId: context.awsRequestId });

  const body = (typeof event === 'object' && event !== null && !Array.isArray(event) ? event : {}) as Record<string, unknown>;
  const requestedId = isUuid(body.sessionId) ? body.sessionId : undefined;
  if (!isScheduleName(body.scheduleName) || !requestedId) {
    // Not a session's Input: nothing is read or changed, and retrying would not help.
    audit({ event: AUDIT_EVENT.END_FAILED, failureReason: DENIAL_REASON.INVALID_REQUEST });
    return { ended: false };
  }
  const scheduleName = body.scheduleName;

  let store: SessionStore;
  try {
    store = { scheduler: awsClient(SchedulerClient), groupName: readGroupsEnvironment(process.env, { needsTarget: false }).groupName };
    if (!userPoolId) throw new Error(`${ENV.USER_POOL_ID} is not set`);
  } catch (err) {
    audit({ event: AUDIT_EVENT.END_FAILED, sessionId: requestedId, failureReason: DENIAL_REASON.MISCONFIGURED });
    throw err;
  }

  let session: GroupsSession | undefined;
  try {
    session = await readSession(store, scheduleName);
  } catch (err) {
    audit({ event: AUDIT_EVENT.END_FAILED, sessionId: requestedId, failureReason: DENIAL_REASON.LOOKUP_FAILED });
    throw err;
  }
  if (!session || session.sessionId !== requestedId || session.userPoolId !== userPoolId) {
    // Ended already (explicitly, superseded, or by an earlier attempt): nothing left to do.
    const expiresAt = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : NaN;
    audit({
      event: AUDIT_EVENT.ENDED,
      cause: causeAt(expiresAt, now),
      sessionId: requestedId,
      alreadyEnded: true,
      groupsRemoved: [],
    });
    return { ended: false, sessionId: requestedId };
  }

  const cause = causeAt(Date.parse(session.expiresAt), now);
  const about = { actor: session.admin, target: session.target, sessionId: session.sessionId, cause };
  let groupsRemoved: readonly string[];
  try {
    ({ groupsRemoved } = await undoSession(awsClient(CognitoIdentityProviderClient), store, session));
  } catch (err) {
    audit({ event: AUDIT_EVENT.END_FAILED, ...about, failureReason: DENIAL_REASON.GROUP_CHANGE_FAILED, expiresAt: session.expiresAt });
    throw err;
  }
  audit({ event: AUDIT_EVENT.ENDED, ...about, groupsRemoved, startedAt: session.startedAt, expiresAt: session.expiresAt });
  return { ended: true, sessionId: session.sessionId, groupsRemoved };
}

function causeAt(expiresAt: number, now: number): string {
  return !Number.isNaN(expiresAt) && now + EXPIRY_TOLERANCE_MS < expiresAt ? END_CAUSE.REVOKED : END_CAUSE.EXPIRED;
}
