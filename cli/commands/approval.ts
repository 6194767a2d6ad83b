import { PATTERN } from '../../src/private/contract';
import { invokeBroker } from '../broker';
import { accessTokenOf, brokerOf, stringOption, type Context } from '../context';
import { CliError, EXIT, usage } from '../errors';
import { keyValues, printJson, relative, table } from '../render';

/** One approval request as the broker shows it (fields a newer broker adds are shown with --json). */
export interface ApprovalSummary {
  readonly requestId: string;
  readonly state: string;
  readonly requester?: { readonly username?: string; readonly sub?: string };
  readonly target?: { readonly username?: string; readonly sub?: string };
  readonly reason?: string;
  readonly durationMinutes?: number;
  readonly expiresAt?: string;
  readonly approver?: { readonly username?: string; readonly sub?: string };
  readonly completeBy?: string;
  readonly rejectionNote?: string;
}

interface DecisionResponse {
  readonly approval: ApprovalSummary;
  readonly message?: string;
}

interface PendingResponse {
  readonly toDecide: readonly ApprovalSummary[];
  readonly mine: readonly ApprovalSummary[];
  readonly truncated?: boolean;
}

function requestIdOf(ctx: Context, command: string): string {
  const id = stringOption(ctx.opts, 'request-id');
  if (!id) throw usage(`${command} needs the REQUEST_ID (\`pending\` lists them).`);
  if (!PATTERN.UUID.test(id)) throw usage(`REQUEST_ID must be a request id like 8f14e45f-ea8e-4b6b-9c1d-3a5b7c9d1e2f (got "${id}").`);
  return id;
}

const who = (p?: { username?: string; sub?: string }) => p?.username ?? p?.sub ?? '';

async function decide(ctx: Context, action: 'approve' | 'reject'): Promise<number> {
  const approvalId = requestIdOf(ctx, action);
  const reason = action === 'reject' ? stringOption(ctx.opts, 'reason') : undefined;
  const accessToken = await accessTokenOf(ctx);
  const broker = await brokerOf(ctx);
  const result = await ctx.progress.step(`${action === 'approve' ? 'Approving' : 'Rejecting'} request ${approvalId}`, () =>
    invokeBroker<DecisionResponse>(broker.functionName, broker.aws, { action, accessToken, approvalId, reason }));
  if (typeof result.approval?.requestId !== 'string') {
    throw new CliError(EXIT.AWS, 'BrokerFailed', 'The broker\'s answer is not a decided request.');
  }
  if (ctx.json) {
    printJson(ctx.io.stdout, result);
    return EXIT.OK;
  }
  const a = result.approval;
  ctx.io.stdout.write(keyValues([
    ['request', a.requestId],
    ['state', a.state],
    ['requester', who(a.requester)],
    ['target', who(a.target)],
    ['reason', a.reason],
    ['complete by', a.completeBy ? relative(a.completeBy, ctx.now()) : undefined],
    ['note', a.rejectionNote],
  ]));
  if (result.message) ctx.io.stdout.write(`\n${result.message}\n`);
  return EXIT.OK;
}

/** `approve REQUEST_ID`: a member of the approver group approves another person's request. */
export function approve(ctx: Context): Promise<number> {
  return decide(ctx, 'approve');
}

/** `reject REQUEST_ID [--reason TEXT]`: a member of the approver group rejects another person's request. */
export function reject(ctx: Context): Promise<number> {
  return decide(ctx, 'reject');
}

export function approvalsTable(requests: readonly ApprovalSummary[], now: number): string {
  return table(['REQUEST', 'STATE', 'REQUESTER', 'TARGET', 'UNTIL', 'REASON'], requests.map((r) => [
    r.requestId,
    r.state,
    who(r.requester),
    who(r.target),
    r.state === 'APPROVED' ? relative(r.completeBy, now) : r.state === 'PENDING' ? relative(r.expiresAt, now) : '-',
    r.reason ?? '',
  ]));
}

/** `pending`: what waits for the caller's decision, and the caller's own requests. */
export async function pending(ctx: Context): Promise<number> {
  const accessToken = await accessTokenOf(ctx);
  const broker = await brokerOf(ctx);
  const result = await ctx.progress.step('Listing approval requests', () =>
    invokeBroker<PendingResponse>(broker.functionName, broker.aws, { action: 'pending', accessToken }));
  const toDecide = Array.isArray(result.toDecide) ? result.toDecide : [];
  const mine = Array.isArray(result.mine) ? result.mine : [];
  if (ctx.json) {
    printJson(ctx.io.stdout, { ...result, toDecide, mine });
    return EXIT.OK;
  }
  ctx.io.stdout.write(toDecide.length ? `Waiting for your decision:\n${approvalsTable(toDecide, ctx.now())}` : 'Nothing waits for your decision.\n');
  if (mine.length) ctx.io.stdout.write(`\nYour requests:\n${approvalsTable(mine, ctx.now())}`);
  if (result.truncated) ctx.io.stdout.write('(more requests exist than one answer lists)\n');
  return EXIT.OK;
}
