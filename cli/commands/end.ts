import { invokeBroker } from '../broker';
import { accessTokenOf, brokerOf, stringOption, type Context } from '../context';
import { EXIT } from '../errors';
import { printJson, table } from '../render';

interface EndResponse {
  readonly ended: ReadonlyArray<{ readonly sessionId: string; readonly groupsRemoved?: readonly string[] }>;
  readonly message?: string;
}

export async function end(ctx: Context): Promise<number> {
  const sessionId = stringOption(ctx.opts, 'session');
  const accessToken = await accessTokenOf(ctx);
  const broker = await brokerOf(ctx);
  const result = await ctx.progress.step(sessionId ? `Ending session ${sessionId}` : 'Ending your sessions', () =>
    invokeBroker<EndResponse>(broker.functionName, broker.aws, { action: 'end', accessToken, sessionId }));
  if (ctx.json) {
    printJson(ctx.io.stdout, result);
    return EXIT.OK;
  }
  const ended = Array.isArray(result.ended) ? result.ended : [];
  if (ended.length > 0) {
    ctx.io.stdout.write(table(['SESSION', 'GROUPS REMOVED'], ended.map((s) => [s.sessionId, (s.groupsRemoved ?? []).join(', ') || '-'])));
  }
  if (result.message) ctx.io.stdout.write(`${ended.length ? '\n' : ''}${result.message}\n`);
  return EXIT.OK;
}
