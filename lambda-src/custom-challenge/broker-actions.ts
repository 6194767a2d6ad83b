import { randomUUID } from 'crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { issueTargetTokens, type ChallengeTokens } from './target-sign-in';
import { AUDIT_EVENT, DENIAL_REASON, ENV } from '../../src/private/contract';
import { awsClient } from '../common/aws-clients';
import type { ActionContext, ApprovalPendingResponse } from '../common/broker-action';
import { ImpersonationRefused } from '../common/errors';
import { validateImpersonationRequest } from '../common/impersonation-request';
import { assertTargetAllowed, resolveTargetByUsernameOrSub } from '../common/target';

/** The customChallenge strategy's broker action: `start`. */

/** A successful customChallenge `start`. */
export interface StartChallengeResponse extends ChallengeTokens {
  readonly sessionId: string;
  readonly target: { readonly username: string; readonly sub?: string };
  /** When the tokens expire (ISO 8601). */
  readonly expiresAt: string;
}

/** customChallenge `start`: the target's own tokens, short-lived and marked with `act`. */
export async function startChallenge(ctx: ActionContext): Promise<StartChallengeResponse | ApprovalPendingResponse> {
  // The tokens' validity is the strategy's (tokenValidity), not the caller's to choose.
  if (ctx.request.durationMinutes !== undefined) {
    throw new ImpersonationRefused(DENIAL_REASON.INVALID_REQUEST);
  }
  const { target: requested, reason } = validateImpersonationRequest(ctx.request.target, ctx.request.reason, ctx.config);
  const client = awsClient(CognitoIdentityProviderClient);
  const target = await resolveTargetByUsernameOrSub(client, ctx.userPoolId, requested);
  ctx.noteTarget({ requested, sub: target.sub, username: target.username });
  assertTargetAllowed(ctx.actor, target, ctx.config);
  // Four-eyes, after every check and before the target's tokens exist: a pending request is the answer.
  const pending = await ctx.approvalGate({ target, reason });
  if (pending) return pending;
  const sessionId = randomUUID();
  const clientId = process.env[ENV.CLIENT_ID];
  if (!clientId) throw new ImpersonationRefused(DENIAL_REASON.MISCONFIGURED);
  await ctx.admitStart(target);
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
