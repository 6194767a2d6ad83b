import { CLIENT_METADATA } from '../../src/private/contract';
import { claimsOf, interactiveSignIn } from '../admin-token';
import { stringOption, type Context } from '../context';
import { CliError, EXIT, usage } from '../errors';
import { keyValues, printJson, relative } from '../render';
import { deliverTokens } from './tokens';

/**
 * preTokenGeneration: an SRP sign-in carrying the impersonation request as ClientMetadata
 * (Pre Token Generation receives it with the PASSWORD_VERIFIER and MFA answers). Without
 * --target: an ordinary sign-in, for a tokens file the other commands read.
 */
export async function signIn(ctx: Context): Promise<number> {
  const target = stringOption(ctx.opts, 'target');
  const reason = stringOption(ctx.opts, 'reason');
  if (reason && !target) throw usage('--reason goes with --target.');
  const metadata = target
    ? { [CLIENT_METADATA.TARGET]: target, ...(reason ? { [CLIENT_METADATA.REASON]: reason } : {}) }
    : undefined;
  const tokens = await interactiveSignIn(ctx.opts, ctx.io, (req) => ctx.progress.step('Signing in', () => ctx.signIn(req)), metadata);
  const id = claimsOf(tokens.idToken);
  // The claim is in the ID token with V1_0 (a JSON string) and V2_0 (an object).
  const raw = Object.entries(id).find(([k]) => k === (stringOption(ctx.opts, 'claim-name') ?? 'impersonating'))?.[1];
  const claim = typeof raw === 'string' ? safeJson(raw) : raw as Record<string, unknown> | undefined;
  if (target && !claim) {
    throw new CliError(EXIT.UNEXPECTED, 'NoImpersonationClaim',
      'Signed in, but the token carries no impersonation claim: is the construct\'s Pre Token Generation trigger on this pool?');
  }
  const delivered = deliverTokens(ctx, { ...tokens });
  if (ctx.json) {
    printJson(ctx.io.stdout, { username: id['cognito:username'], sub: id.sub, impersonating: claim, expiresAt: tokens.expiresAt, ...delivered.json });
    return EXIT.OK;
  }
  ctx.io.stdout.write(keyValues([
    ['signed in as', `${String(id['cognito:username'] ?? '?')} (${String(id.sub ?? '?')})`],
    ['impersonating', claim ? `${String(claim.username ?? '?')} (${String(claim.sub ?? '?')})` : undefined],
    ['session', claim?.sessionId],
    ['expires', relative(tokens.expiresAt, ctx.now())],
    ...delivered.rows,
  ]));
  return EXIT.OK;
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
