import { BROKER_ERROR, PATTERN } from '../../src/private/contract';
import { invokeBroker } from '../broker';
import { accessTokenOf, brokerOf, stringOption, type Context } from '../context';
import { CliError, EXIT, REFUSAL_EXIT, usage } from '../errors';
import { parseDuration } from '../options';
import { keyValues, printJson, relative } from '../render';
import { deliverTokens } from './tokens';

/** The broker's `start` answers of both strategies (README "Calling the broker"). */
interface StartResponse {
  readonly sessionId: string;
  readonly target: { readonly username: string; readonly sub?: string };
  readonly expiresAt: string;
  // customChallenge
  readonly idToken?: string;
  readonly accessToken?: string;
  readonly tokenType?: string;
  readonly expiresIn?: number;
  // groups
  readonly groupsAdded?: readonly string[];
  readonly startedAt?: string;
  readonly message?: string;
  // approval: the start waits for an approver
  readonly approval?: { readonly requestId: string; readonly state: string; readonly expiresAt: string };
}

export async function start(ctx: Context): Promise<number> {
  const target = stringOption(ctx.opts, 'target');
  if (!target) throw usage('start needs --target USER (a username, an alias or a sub).');
  const reason = stringOption(ctx.opts, 'reason');
  const duration = stringOption(ctx.opts, 'duration');
  const durationMinutes = duration === undefined ? undefined : parseDuration(duration);
  const approvalId = stringOption(ctx.opts, 'approval');
  if (approvalId !== undefined && !PATTERN.UUID.test(approvalId)) {
    throw usage(`--approval must be a request id like 8f14e45f-ea8e-4b6b-9c1d-3a5b7c9d1e2f (got "${approvalId}").`);
  }
  const accessToken = await accessTokenOf(ctx);
  const broker = await brokerOf(ctx);
  const result = await ctx.progress.step(`Asking the broker to impersonate ${target}`, () =>
    invokeBroker<StartResponse>(broker.functionName, broker.aws, { action: 'start', accessToken, target, reason, durationMinutes, approvalId }));
  if (result.approval?.state === 'PENDING' && typeof result.approval.requestId === 'string') return awaitingApproval(ctx, result.approval, result.message);
  if (typeof result.sessionId !== 'string' || typeof result.target?.username !== 'string') {
    throw new CliError(EXIT.AWS, 'BrokerFailed', 'The broker\'s answer is not a started session.');
  }
  const { idToken, accessToken: targetAccessToken, ...session } = result;
  const tokens = idToken && targetAccessToken
    ? deliverTokens(ctx, {
      idToken,
      accessToken: targetAccessToken,
      tokenType: result.tokenType,
      expiresAt: result.expiresAt,
      sessionId: result.sessionId,
      target: result.target,
    })
    : undefined;
  if (ctx.json) {
    printJson(ctx.io.stdout, { ...session, ...tokens?.json });
    return EXIT.OK;
  }
  const who = `${result.target.username}${result.target.sub ? ` (${result.target.sub})` : ''}`;
  ctx.io.stdout.write(keyValues([
    ['session', result.sessionId],
    ['target', who],
    ['groups added', result.groupsAdded ? (result.groupsAdded.length ? result.groupsAdded : '(none: you already had them)') : undefined],
    ['expires', relative(result.expiresAt, ctx.now())],
    ...(tokens?.rows ?? []),
  ]));
  if (result.message) ctx.io.stdout.write(`\n${result.message}\n`);
  return EXIT.OK;
}

/**
 * The start needs approval: nothing was granted; say which request to have approved and what to
 * run then. Exits with ApprovalPending's code, so that a script never takes it for a started session.
 */
function awaitingApproval(ctx: Context, approval: NonNullable<StartResponse['approval']>, message: string | undefined): number {
  const exitCode = REFUSAL_EXIT[BROKER_ERROR.APPROVAL_PENDING];
  if (ctx.json) {
    printJson(ctx.io.stdout, { approval, message });
    return exitCode;
  }
  ctx.io.stdout.write(keyValues([
    ['approval', `${approval.requestId} (pending)`],
    ['expires', relative(approval.expiresAt, ctx.now())],
  ]));
  ctx.io.stdout.write('\nNothing was granted yet. An approver runs `approve ' + approval.requestId + '`;\n'
    + `then run this start again with --approval ${approval.requestId}.\n`);
  return exitCode;
}
