import { randomUUID } from 'crypto';
import type { Context } from 'aws-lambda';
import { authenticateAdmin } from './admin-auth';
import { writeAuditEvent, type AuditEvent } from '../common/audit';
import { denialReasonOf, errorResponse, type BrokerErrorResponse } from './error-response';
import { parseBrokerRequest, type BrokerAction, type BrokerRequest } from './request-envelope';
import { issueTargetTokens, type ChallengeTokens } from '../custom-challenge/target-sign-in';
import { cognitoClient } from '../common/aws-clients';
import { readConfig, type ImpersonationConfig } from '../common/config';
import { ImpersonationRefused } from '../common/errors';
import { endGroups, listGroups, startGroups } from '../groups/broker-actions';
import { boundedForAudit, validateImpersonationRequest } from '../common/impersonation-request';
import { assertTargetAllowed, resolveTargetByUsernameOrSub, type Actor } from '../common/target';
import { AUDIT_EVENT, DENIAL_REASON, ENV, LIMITS, SOURCE, STRATEGY } from '../../src/private/contract';

/** A successful customChallenge `start`. */
export interface StartChallengeResponse extends ChallengeTokens {
  readonly sessionId: string;
  readonly target: { readonly username: string; readonly sub?: string };
  /** When the tokens expire (ISO 8601). */
  readonly expiresAt: string;
}

/** What every action gets: the verified admin, the request, the configuration, and audit context. */
export interface ActionContext {
  readonly request: BrokerRequest;
  readonly actor: Actor;
  readonly config: ImpersonationConfig;
  readonly userPoolId: string;
  /** Names the resolved target, so that a refusal after the lookup is audited with it. */
  readonly noteTarget: (target: { requested?: string; sub?: string; username?: string }) => void;
  /** Records the action's outcome; the broker records refusals itself. */
  readonly audit: (event: Omit<AuditEvent, 'strategy' | 'source' | 'userPoolId' | 'requestId' | 'actor' | 'action'>) => void;
}

type ActionHandler = (ctx: ActionContext) => Promise<object>;

/** The actions each strategy's broker offers. */
const ACTIONS: Record<string, Partial<Record<BrokerAction, ActionHandler>>> = {
  [STRATEGY.CUSTOM_CHALLENGE]: { start: startChallenge },
  [STRATEGY.GROUPS]: { start: startGroups, end: endGroups, list: listGroups },
};

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
  const base = () => ({
    strategy,
    source: SOURCE.BROKER,
    userPoolId,
    requestId: context.awsRequestId,
    actor,
    action: request?.action,
  });
  try {
    request = parseBrokerRequest(event);
    let config: ImpersonationConfig;
    try {
      config = readConfig();
    } catch {
      throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
    }
    const action = ACTIONS[strategy]?.[request.action];
    if (!userPoolId || !ACTIONS[strategy]) throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
    if (!action) throw new ImpersonationRefused(DENIAL_REASON.UNSUPPORTED_ACTION);
    const client = await cognitoClient();
    actor = await authenticateAdmin(client, request.accessToken, config, {
      userPoolId,
      impersonationClientId: process.env[ENV.CLIENT_ID],
    });
    const ctx: ActionContext = {
      request,
      actor,
      config,
      userPoolId,
      noteTarget: (t) => { target = t; },
      audit: (outcome) => writeAuditEvent({ ...base(), ...outcome } as AuditEvent),
    };
    return await action(ctx);
  } catch (err) {
    const requestBody = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
    writeAuditEvent({
      ...base(),
      event: AUDIT_EVENT.DENIED,
      denialReason: denialReasonOf(err),
      target: target ?? { requested: boundedForAudit(requestBody.target) },
      reason: boundedForAudit(requestBody.reason, LIMITS.MAX_REASON_LENGTH),
    });
    return errorResponse(err);
  }
}

/** customChallenge `start`: the target's own tokens, short-lived and marked with `act`. */
async function startChallenge(ctx: ActionContext): Promise<StartChallengeResponse> {
  // The tokens' validity is the strategy's (tokenValidity), not the caller's to choose.
  if (ctx.request.durationMinutes !== undefined) {
    throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
  }
  const { target: requested, reason } = validateImpersonationRequest(ctx.request.target, ctx.request.reason, ctx.config);
  const client = await cognitoClient();
  const target = await resolveTargetByUsernameOrSub(client, ctx.userPoolId, requested);
  ctx.noteTarget({ requested, sub: target.sub, username: target.username });
  assertTargetAllowed(ctx.actor, target, ctx.config);
  const sessionId = randomUUID();
  const clientId = process.env[ENV.CLIENT_ID];
  if (!clientId) throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  const tokens = await issueTargetTokens(client, { userPoolId: ctx.userPoolId, clientId }, ctx.actor, target, sessionId);
  const expiresAt = new Date(Date.now() + tokens.expiresIn * 1000).toISOString();
  ctx.audit({
    event: AUDIT_EVENT.GRANTED,
    clientId,
    target: { requested, sub: target.sub, username: target.username },
    reason,
    sessionId,
    expiresAt,
  });
  return { ...tokens, sessionId, target: { username: target.username, sub: target.sub }, expiresAt };
}
