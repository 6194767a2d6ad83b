import * as fs from 'fs';
import { CliError, EXIT, usage } from './errors';
import type { Io } from './io';
import type { ParsedOptions } from './options';
import type { SignInRequest, SignInTokens } from './srp-sign-in';

export type SignIn = (req: SignInRequest) => Promise<SignInTokens>;

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The claims of a JWT, read without verifying it: for display only (the broker verifies). */
export function claimsOf(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  } catch {
    return {};
  }
}

/** A token file holds either the bare JWT or the JSON that `--tokens-file` writes. */
function tokenFromFile(path: string): string {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new CliError(EXIT.NOT_SIGNED_IN, 'NoAccessToken', `Cannot read the access token file ${path}: ${(err as NodeJS.ErrnoException).code}.`);
  }
  if (text.startsWith('{')) {
    try {
      return String(JSON.parse(text).accessToken ?? '');
    } catch {
      return '';
    }
  }
  return text;
}

function checked(token: string, from: string): string {
  // A JWT's shape only: the token itself is never repeated in an error.
  if (!JWT.test(token)) throw new CliError(EXIT.NOT_SIGNED_IN, 'NoAccessToken', `The access token from ${from} is not a JWT.`);
  return token;
}

/** The user pool and app client an SRP sign-in needs, from options or the environment. */
export function signInTarget(opts: ParsedOptions, io: Io): { userPoolId?: string; clientId?: string; username?: string } {
  return {
    userPoolId: (opts['user-pool-id'] as string | undefined) ?? io.env.IMPERSONATION_USER_POOL_ID,
    clientId: (opts['client-id'] as string | undefined) ?? io.env.IMPERSONATION_CLIENT_ID,
    username: (opts.username as string | undefined) ?? io.env.IMPERSONATION_USERNAME,
  };
}

/** Runs an interactive SRP sign-in: username and password prompted (the password unechoed), MFA when asked. */
export async function interactiveSignIn(
  opts: ParsedOptions, io: Io, signIn: SignIn, clientMetadata?: Record<string, string>,
): Promise<SignInTokens> {
  const { userPoolId, clientId, username } = signInTarget(opts, io);
  if (!userPoolId || !clientId) {
    throw usage('To sign in, give --user-pool-id and --client-id (or IMPERSONATION_USER_POOL_ID and IMPERSONATION_CLIENT_ID).');
  }
  const name = username || (await ask(io, 'Username: ', false));
  const password = await ask(io, `Password for ${name}: `, true);
  return signIn({
    userPoolId,
    clientId,
    username: name,
    password,
    clientMetadata,
    mfaCode: (kind) => ask(io, kind === 'SMS' ? 'Code sent by SMS: ' : 'Code from your authenticator app: ', false),
    endpoint: io.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER ?? io.env.AWS_ENDPOINT_URL,
  });
}

async function ask(io: Io, question: string, secret: boolean): Promise<string> {
  try {
    return await io.prompt(question, { secret });
  } catch (err) {
    throw new CliError(EXIT.NOT_SIGNED_IN, 'NoAnswer', `Sign-in needs an answer to "${question.trim()}" (${(err as Error).message}).`);
  }
}

/**
 * The admin's Cognito access token, from the first source given: --access-token,
 * --access-token-file, IMPERSONATION_ACCESS_TOKEN, or an interactive sign-in.
 */
export async function adminAccessToken(opts: ParsedOptions, io: Io, signIn: SignIn): Promise<string> {
  if (typeof opts['access-token'] === 'string') return checked(opts['access-token'].trim(), '--access-token');
  if (typeof opts['access-token-file'] === 'string') {
    return checked(tokenFromFile(opts['access-token-file']), opts['access-token-file']);
  }
  const fromEnv = io.env.IMPERSONATION_ACCESS_TOKEN;
  if (fromEnv) return checked(fromEnv.trim(), 'IMPERSONATION_ACCESS_TOKEN');
  const { userPoolId, clientId } = signInTarget(opts, io);
  if (!userPoolId || !clientId) {
    throw new CliError(EXIT.NOT_SIGNED_IN, 'NoAccessToken',
      'No access token: give --access-token-file, IMPERSONATION_ACCESS_TOKEN, or --user-pool-id and --client-id to sign in.');
  }
  return (await interactiveSignIn(opts, io, signIn)).accessToken;
}

/** Whether a token was given without signing in (status then shows who you are, without a prompt). */
export function hasTokenSource(opts: ParsedOptions, io: Io): boolean {
  return typeof opts['access-token'] === 'string' || typeof opts['access-token-file'] === 'string' || !!io.env.IMPERSONATION_ACCESS_TOKEN;
}
