import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Context } from 'aws-lambda';
import { authenticateAdmin } from './admin-auth';
import { errorResponse, type BrokerErrorResponse } from './error-response';
import { assertMfaSignIn, requireAdminMfa } from './mfa-check';
import { parseBrokerRequest } from './request-envelope';
import { assertRecentSignIn, maxAdminAuthAgeSeconds } from './step-up';
import { admitStart, readVolumeLimits } from './volume-limits';
import { AUDIT_EVENT, DENIAL_REASON, ENV, LIMITS, SOURCE, STRATEGY } from '../../src/private/contract';
import { auditWriter } from '../common/audit';
import { awsClient } from '../common/aws-clients';
import type { ActionContext, ActionHandler, BrokerAction, BrokerRequest } from '../common/broker-action';
import { readConfig, type ImpersonationConfig } from '../common/config';
import { ImpersonationRefused, denialReasonOf } from '../common/errors';
import { boundedForAudit } from '../common/impersonation-request';
import type { Actor } from '../common/target';
import { startChallenge } from '../custom-challenge/broker-actions';
import { endOwnSessions, listGroups, startGroups } from '../groups/broker-actions';

/** The actions each strategy's broker offers. */
const ACTIONS: Record<string, Partial<Record<BrokerAction, ActionHandler>>> = {
  [STRATEGY.CUSTOM_CHALLENGE]: { start: startChallenge },
  [STRATEGY.GROUPS]: { start: startGroups, end: endOwnSessions, list: listGroups },
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
  let sessionId: string | undefined;
  const audit = auditWriter({ strategy, source: SOURCE.BROKER, userPoolId, requestId: context.awsRequestId });
  // Whom and what, as far as the request got.
  const about = () => ({ actor, action: request?.action });
  try {
    request = parseBrokerRequest(event);
    let config: ImpersonationConfig;
    try {
      config = readConfig();
    } catch {
      throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
    }
    const maxAuthAge = maxAdminAuthAgeSeconds(process.env[ENV.MAX_ADMIN_AUTH_AGE_SECONDS]);
    const limits = readVolumeLimits(process.env);
    const requireMfa = requireAdminMfa(process.env[ENV.REQUIRE_ADMIN_MFA]);
    const action = ACTIONS[strategy]?.[request.action];
    if (!userPoolId || !ACTIONS[strategy]) throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
    if (!action) throw new ImpersonationRefused(DENIAL_REASON.UNSUPPORTED_ACTION);
    const client = awsClient(CognitoIdentityProviderClient);
    actor = await authenticateAdmin(client, request.accessToken, config, {
      userPoolId,
      impersonationClientId: process.env[ENV.CLIENT_ID],
    }, (identified) => { actor = identified; });
    // Step-up guards only what starts an impersonation: ending or listing never needs a fresh sign-in.
    if (request.action === 'start') {
      if (maxAuthAge !== undefined) assertRecentSignIn(request.accessToken, maxAuthAge, Date.now());
      if (requireMfa) await assertMfaSignIn(client, userPoolId, actor.username, request.accessToken);
    }
    const ctx: ActionContext = {
      request,
      actor,
      config,
      userPoolId,
      noteTarget: (t) => { target = t; },
      noteFailedSession: (id) => { sessionId = id; },
      admitStart: async (admitted) => {
        if (limits) await admitStart(limits, { adminSub: actor!.sub ?? actor!.username, targetSub: admitted.sub ?? admitted.username }, Date.now());
      },
      audit: (outcome) => audit({ ...about(), ...outcome }),
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
