import { stringOption, type Context } from '../context';
import { CliError, EXIT } from '../errors';
import { writeTokensFile } from '../render';

/**
 * Tokens go where the user asked, and nowhere else: printed only with --show-tokens,
 * written only to --tokens-file (mode 0600). Otherwise the output says how to get them.
 */
export function deliverTokens(ctx: Context, tokens: { idToken: string; accessToken: string; [k: string]: unknown }): {
  rows: Array<[string, string]>;
  json: Record<string, unknown>;
} {
  const file = stringOption(ctx.opts, 'tokens-file');
  const show = ctx.opts['show-tokens'] === true;
  const rows: Array<[string, string]> = [];
  const json: Record<string, unknown> = {};
  if (file) {
    try {
      writeTokensFile(file, tokens);
    } catch (err) {
      throw new CliError(EXIT.UNEXPECTED, 'TokensFile', `Could not write the tokens to ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
    rows.push(['tokens', `written to ${file} (mode 0600)`]);
    json.tokensFile = file;
  }
  if (show) {
    rows.push(['id token', tokens.idToken], ['access token', tokens.accessToken]);
    Object.assign(json, { idToken: tokens.idToken, accessToken: tokens.accessToken });
  }
  if (!file && !show) {
    rows.push(['tokens', 'hidden (use --tokens-file PATH or --show-tokens)']);
    json.tokensHidden = true;
  }
  return { rows, json };
}
