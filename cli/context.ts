import { adminAccessToken, type SignIn } from './admin-token';
import type { AwsSettings } from './aws';
import { findBroker } from './broker';
import type { Io } from './io';
import type { ParsedOptions } from './options';
import { Progress } from './progress';

/** What a command runs with. */
export interface Context {
  readonly io: Io;
  readonly opts: ParsedOptions;
  readonly signIn: SignIn;
  readonly progress: Progress;
  readonly json: boolean;
  readonly now: () => number;
}

export interface Broker {
  readonly functionName: string;
  readonly aws: AwsSettings;
}

function str(opts: ParsedOptions, name: string): string | undefined {
  const v = opts[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The broker named by the options (or the environment), found in its stack when needed. */
export async function brokerOf(ctx: Context): Promise<Broker> {
  const aws = { region: str(ctx.opts, 'region'), profile: str(ctx.opts, 'profile') };
  const functionName = str(ctx.opts, 'function') ?? ctx.io.env.IMPERSONATION_BROKER_FUNCTION;
  const stackName = str(ctx.opts, 'stack') ?? ctx.io.env.IMPERSONATION_STACK;
  const where = { ...aws, functionName, stackName, constructId: str(ctx.opts, 'construct') };
  const name = functionName
    ? functionName
    : await ctx.progress.step(`Finding the broker in stack ${stackName ?? '?'}`, () => findBroker(where));
  return { functionName: name, aws };
}

/** The admin's access token; an interactive sign-in shows progress while Cognito answers. */
export function accessTokenOf(ctx: Context): Promise<string> {
  return adminAccessToken(ctx.opts, ctx.io, (req) => ctx.progress.step('Signing in', () => ctx.signIn(req)));
}

export { str as stringOption };
