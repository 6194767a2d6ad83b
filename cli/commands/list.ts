import { invokeBroker } from '../broker';
import { accessTokenOf, brokerOf, type Context } from '../context';
import { EXIT } from '../errors';
import { printJson, table } from '../render';

/** One session of the groups broker's `list` (fields a newer broker adds are shown with --json). */
export interface ListedSession {
  readonly sessionId: string;
  readonly admin?: { readonly username?: string; readonly sub?: string };
  readonly target?: { readonly username?: string; readonly sub?: string };
  readonly groupsAdded?: readonly string[];
  readonly reason?: string;
  readonly startedAt?: string;
  readonly expiresAt?: string;
  readonly expired?: boolean;
}

export interface ListResponse {
  readonly sessions: readonly ListedSession[];
  readonly truncated?: boolean;
}

export function sessionsTable(sessions: readonly ListedSession[]): string {
  return table(['SESSION', 'ADMIN', 'TARGET', 'GROUPS', 'EXPIRES', 'REASON'], sessions.map((s) => [
    s.sessionId,
    s.admin?.username ?? s.admin?.sub ?? '',
    s.target?.username ?? s.target?.sub ?? '',
    (s.groupsAdded ?? []).join(',') || '-',
    `${s.expiresAt ?? ''}${s.expired ? ' (overdue)' : ''}`,
    s.reason ?? '',
  ]));
}

export async function listSessions(ctx: Context): Promise<ListResponse> {
  const accessToken = await accessTokenOf(ctx);
  const broker = await brokerOf(ctx);
  const result = await ctx.progress.step('Listing sessions', () =>
    invokeBroker<ListResponse>(broker.functionName, broker.aws, { action: 'list', accessToken }));
  return { ...result, sessions: Array.isArray(result.sessions) ? result.sessions : [] };
}

export async function list(ctx: Context): Promise<number> {
  const result = await listSessions(ctx);
  if (ctx.json) {
    printJson(ctx.io.stdout, result);
    return EXIT.OK;
  }
  ctx.io.stdout.write(result.sessions.length ? sessionsTable(result.sessions) : 'No open session.\n');
  if (result.truncated) ctx.io.stdout.write('(more sessions exist than one answer lists)\n');
  return EXIT.OK;
}
