import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Context } from 'aws-lambda';
import { authenticateMember } from './admin-auth';
import { errorResponse, type BrokerErrorResponse } from './error-response';
import { assertMfaSignIn, requireAdminMfa } from './mfa-check';
import { parseBrokerRequest } from './request-envelope';
import { stateTable } from './state-table';
import { assertRecentSignIn, maxAdminAuthAgeSeconds } from './step-up';
import { admitStart, readVolumeLimits } from './volume-limits';
import { AUDIT_EVENT, DENIAL_REASON, ENV, LIMITS, SOURCE, STRATEGY } from '../../src/private/contract';
import { approveRequest, listApprovals, rejectRequest } from '../approval/approval-actions';
import { readApprovalConfig } from '../approval/approval-config';
import { approvalGate } from '../approval/approval-gate';
import type { Principal } from '../approval/approval-store';
import { auditWriter } from '../common/audit';
import { awsClient } from '../common/aws-clients';
import type { ActionContext, ActionHandler, ApprovalSettings, BrokerAction, BrokerRequest } from '../common/broker-action';
import { readConfig, type ImpersonationConfig } from '../common/config';
import { ImpersonationRefused, denialReasonOf } from '../common/errors';
import { boundedForAudit } from '../common/impersonation-request';
import type { Actor } from '../common/target';
import { startChallenge } from '../custom-challenge/broker-actions';
import { endOwnSessions, listGroups, startGroups } from '../groups/broker-actions';

/** The approval actions (four-eyes), offered by every strategy's broker when approval is on. */
const APPROVAL_ACTIONS = { approve: approveRequest, reject: rejectRequest, pending: listApprovals } as const;

/** The actions each strategy's broker offers. */
const ACTIONS: Record<string, Partial<Record<BrokerAction, ActionHandler>>> = {
  [STRATEGY.CUSTOM_CHALLENGE]: { start: startChallenge, ...APPROVAL_ACTIONS },
  [STRATEGY.GROUPS]: { start: startGroups, end: endOwnSessions, list: listGroups, ...APPROVAL_ACTIONS },
};

/** The approval configuration with its table, or undefined when approval is off; malformed refuses (Misconfigured). */
function approvalSettings(): ApprovalSettings | undefined {
  let config: ReturnType<typeof readApprovalConfig>;
  try {
    config = readApprovalConfig();
  } catch {
    throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  }
  return config && { ...config, table: stateTable() };
}

/**
 * Who may ask for an action: the admin group starts, ends and lists; the approver group
 * approves and rejects; either lists the approval requests (an admin sees their own).
 */
function membershipFor(action: BrokerAction, config: ImpersonationConfig, approval: ApprovalSettings | undefined) {
  if (action === 'approve' || action === 'reject') return { groups: [approval!.approverGroupName], notMember: DENIAL_REASON.NOT_APPROVER };
  if (action === 'pending') return { groups: [approval!.approverGroupName, config.adminGroupName], notMember: DENIAL_REASON.NOT_APPROVER };
  return { groups: [config.adminGroupName], notMember: DENIAL_REASON.NOT_ADMIN };
}

/**
 * The broker: authenticates the admin (verified access token, live group check), runs the
 * strategy's action, and records exactly one audit event per request. Every failure is a
 * typed `{ error: { code, message } }`; malformed input is refused before anything is read.
 */
export async function handleBrokerRequest(event: unknown, context: Pick<Context, 'awsRequestId'>): Promise<object | BrokerErrorResponse> {
  const strategy = process.env[ENV.STRATEGY] ?? '';
  const userPoolId = process.env[ENV.USER_POOL_ID] ?? '';
  let actor: Actor | undefined;
  let request: BrokerRequest | undefined;
  let target: { requested?: string; sub?: string; username?: string } | undefined;
  let sessionId: string | undefined;
  let usedApproval: { approvalId: string; approver?: Principal } | undefined;
  const audit = auditWriter({ strategy, source: SOURCE.BROKER, userPoolId, requestId: context.awsRequestId });
  // Whom and what, as far as the request got; once a start spent an approval, every event names it and its approver.
  const about = () => ({
    actor,
    action: request?.action,
    ...(request?.approvalId ? { approvalId: request.approvalId } : {}),
    ...usedApproval,
  });
  try {
    request = parseBrokerRequest(event);
    let config: ImpersonationConfig;
    try {
      config = readConfig();
    } catch {
      throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
    }
    // The start-only guards (step-up, volume limits) are read for a start only: a misconfigured
    // one refuses every start (fail closed), never an end or a list.
    const starting = request.action === 'start';
    const maxAuthAge = starting ? maxAdminAuthAgeSeconds(process.env[ENV.MAX_ADMIN_AUTH_AGE_SECONDS]) : undefined;
    const limits = starting ? readVolumeLimits(process.env) : undefined;
    const requireMfa = starting && requireAdminMfa(process.env[ENV.REQUIRE_ADMIN_MFA]);
    const action = ACTIONS[strategy]?.[request.action];
    if (!userPoolId || !ACTIONS[strategy]) throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
    if (!action) throw new ImpersonationRefused(DENIAL_REASON.UNSUPPORTED_ACTION);
    // Approval concerns what starts an impersonation and the approval actions; ending or listing
    // sessions never waits on it (nor fails with its configuration).
    const approvalAction = request.action in APPROVAL_ACTIONS;
    const approval = request.action === 'start' || approvalAction ? approvalSettings() : undefined;
    if (!approval && approvalAction) throw new ImpersonationRefused(DENIAL_REASON.UNSUPPORTED_ACTION);
    const client = awsClient(CognitoIdentityProviderClient);
    const member = await authenticateMember(client, request.accessToken, membershipFor(request.action, config, approval), {
      userPoolId,
      impersonationClientId: process.env[ENV.CLIENT_ID],
    }, (identified) => { actor = identified; });
    actor = { sub: member.sub, username: member.username };
    // Step-up guards only what starts an impersonation: ending or listing never needs a fresh sign-in.
    if (starting) {
      if (maxAuthAge !== undefined) assertRecentSignIn(request.accessToken, maxAuthAge, Date.now());
      if (requireMfa) await assertMfaSignIn(client, userPoolId, actor.username, request.accessToken);
    }
    const auditOutcome: ActionContext['audit'] = (outcome) => audit({ ...about(), ...outcome });
    const ctx: ActionContext = {
      request,
      actor,
      config,
      userPoolId,
      strategy,
      callerGroups: member.groups,
      approval,
      noteTarget: (t) => { target = t; },
      noteFailedSession: (id) => { sessionId = id; },
      admitStart: async (admitted) => {
        if (limits) await admitStart(limits, { adminSub: actor!.sub ?? actor!.username, targetSub: admitted.sub ?? admitted.username }, Date.now());
      },
      audit: auditOutcome,
      approvalGate: approvalGate({ request, actor, strategy, audit: auditOutcome }, approval, (used) => { usedApproval = used; }),
    };
    return await action(ctx);
  } catch (err) {
    const requestBody = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
    audit({
      ...about(),
      event: AUDIT_EVENT.DENIED,
      denialReason: denialReasonOf(err),
      target: target ?? { requested: boundedForAudit(requestBody.target) },
      reason: boundedForAudit(requestBody.reason, LIMITS.MAX_REASON_LENGTH),
      ...(sessionId ? { sessionId } : {}),
    });
    return errorResponse(err);
  }
}
