import type { SignIn } from './admin-token';
import { approve, pending, reject } from './commands/approval';
import { end } from './commands/end';
import { list } from './commands/list';
import { signIn } from './commands/sign-in';
import { start } from './commands/start';
import { status } from './commands/status';
import type { Context } from './context';
import { CliError, EXIT } from './errors';
import type { Io } from './io';
import { COMMANDS, commandHelp, mainHelp, parseCommandOptions } from './options';
import { Progress } from './progress';
import { srpSignIn } from './srp-sign-in';

const RUN: Record<string, (ctx: Context) => Promise<number>> = { start, end, list, status, approve, reject, pending, 'sign-in': signIn };

export interface Dependencies {
  readonly signIn: SignIn;
  readonly now: () => number;
}

/** Runs one command line and returns the exit code. Errors are reported, never thrown. */
export async function main(argv: readonly string[], io: Io, deps: Partial<Dependencies> = {}): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) {
    io.stderr.write(mainHelp());
    return EXIT.USAGE;
  }
  if (command === '--help' || command === '-h' || (command === 'help' && args.length === 0)) {
    io.stdout.write(mainHelp());
    return EXIT.OK;
  }
  if (command === 'help' && COMMANDS[args[0]]) {
    io.stdout.write(commandHelp(args[0]));
    return EXIT.OK;
  }
  const json = args.includes('--json');
  try {
    if (!COMMANDS[command]) {
      throw new CliError(EXIT.USAGE, 'Usage', `Unknown command "${command}". Run \`cdk-cognito-impersonation --help\`.`);
    }
    const opts = parseCommandOptions(command, args);
    if (opts.help) {
      io.stdout.write(commandHelp(command));
      return EXIT.OK;
    }
    return await RUN[command]({
      io,
      opts,
      json,
      signIn: deps.signIn ?? srpSignIn,
      now: deps.now ?? Date.now,
      progress: new Progress(io.stderr, !json),
    });
  } catch (err) {
    const failure = err instanceof CliError
      ? err
      : new CliError(EXIT.UNEXPECTED, 'Unexpected', (err as Error)?.message ?? String(err));
    io.stderr.write(`error: ${failure.code}: ${failure.message}\n`);
    if (json) io.stdout.write(JSON.stringify({ error: { code: failure.code, message: failure.message } }, null, 2) + '\n');
    return failure.exitCode;
  }
}
