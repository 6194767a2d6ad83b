import * as fs from 'fs';
import { STRATEGY } from '../../src/private/contract';
import { claimsOf, hasTokenSource } from '../admin-token';
import { brokerStrategy } from '../broker';
import { accessTokenOf, brokerOf, stringOption, type Context } from '../context';
import { CliError, EXIT, usage } from '../errors';
import { keyValues, printJson, relative } from '../render';
import { listSessions, sessionsTable, type ListedSession } from './list';

const STRATEGIES: readonly string[] = [STRATEGY.CUSTOM_CHALLENGE, STRATEGY.GROUPS];

function expiry(claims: Record<string, unknown>): string | undefined {
  return typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : undefined;
}

/** customChallenge: whom the tokens of `start --tokens-file` impersonate, and for how long. */
function impersonationTokens(file: string): Record<string, unknown> {
  let saved: { accessToken?: string };
  try {
    saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(EXIT.UNEXPECTED, 'TokensFile', `Cannot read the tokens file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'not JSON'}.`);
  }
  const claims = claimsOf(String(saved.accessToken ?? ''));
  return { target: claims.username ?? claims.sub, act: claims.act, expiresAt: expiry(claims) };
}

/**
 * Who you are (read from your token, not verified: the broker verifies), which broker and
 * strategy, and what is open: your groups sessions, or the customChallenge tokens you saved.
 * Nothing here asks the broker for anything that would be audited as a denial.
 */
export async function status(ctx: Context): Promise<number> {
  const given = stringOption(ctx.opts, 'strategy');
  if (given && !STRATEGIES.includes(given)) throw usage(`--strategy must be ${STRATEGIES.join(' or ')}.`);
  const broker = await brokerOf(ctx);
  const strategy = given ?? await ctx.progress.step('Reading the broker\'s configuration', () => brokerStrategy(broker.functionName, broker.aws));
  const report: Record<string, unknown> = { broker: broker.functionName, strategy: strategy ?? null };

  // groups needs the token to list; otherwise a token is used only if it was given.
  const token = strategy === STRATEGY.GROUPS || hasTokenSource(ctx.opts, ctx.io) ? await accessTokenOf(ctx) : undefined;
  const claims = token ? claimsOf(token) : {};
  if (token) report.you = { username: claims.username, sub: claims.sub, tokenExpiresAt: expiry(claims) };

  let mine: ListedSession[] | undefined;
  if (strategy === STRATEGY.GROUPS) {
    const listed = await listSessions(ctx);
    mine = listed.sessions.filter((s) => s.admin?.sub === claims.sub);
    report.yourSessions = mine;
    report.openSessions = listed.sessions.length;
  }
  const tokensFile = stringOption(ctx.opts, 'tokens-file');
  if (tokensFile) report.impersonationTokens = impersonationTokens(tokensFile);

  if (ctx.json) {
    printJson(ctx.io.stdout, report);
    return EXIT.OK;
  }
  const now = ctx.now();
  const you = report.you as { username?: string; sub?: string; tokenExpiresAt?: string } | undefined;
  const imp = report.impersonationTokens as { target?: string; act?: { username?: string }; expiresAt?: string } | undefined;
  ctx.io.stdout.write(keyValues([
    ['broker', broker.functionName],
    ['strategy', strategy ?? 'unknown (your AWS credentials may not read the broker\'s configuration: pass --strategy)'],
    ['you', you ? `${you.username ?? '?'} (${you.sub ?? '?'})` : undefined],
    ['your token expires', you ? relative(you.tokenExpiresAt, now) : undefined],
    ['open sessions', report.openSessions],
    ['impersonating', imp ? `${imp.target ?? '?'}${imp.act?.username ? ` (acting: ${imp.act.username})` : ''}` : undefined],
    ['tokens expire', imp ? relative(imp.expiresAt, now) : undefined],
  ]));
  if (mine) ctx.io.stdout.write(mine.length ? `\nYour sessions:\n${sessionsTable(mine)}` : '\nYou have no open session.\n');
  return EXIT.OK;
}
