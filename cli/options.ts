import { parseArgs } from 'util';
import { usage } from './errors';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; help: string; arg?: string };

/** Where the broker is and who asks: every command that calls the broker takes these. */
const BROKER: Record<string, OptionSpec> = {
  stack: { type: 'string', arg: 'NAME', help: 'CloudFormation stack holding the construct; its broker is found there (env IMPERSONATION_STACK)' },
  construct: { type: 'string', arg: 'ID', help: 'the construct\'s id, when the stack holds more than one' },
  function: { type: 'string', arg: 'NAME', help: 'the broker function\'s name or ARN, instead of --stack (env IMPERSONATION_BROKER_FUNCTION)' },
  profile: { type: 'string', arg: 'NAME', help: 'AWS profile for invoking the broker (default: the SDK\'s credential chain)' },
  region: { type: 'string', arg: 'REGION', help: 'AWS region (default: the profile\'s or AWS_REGION)' },
};

/** How the admin proves who they are: a token, or an interactive SRP sign-in. */
const ADMIN: Record<string, OptionSpec> = {
  'access-token-file': {
    type: 'string',
    arg: 'PATH',
    help: 'file with your Cognito access token, or a tokens file written by `sign-in --tokens-file`',
  },
  'access-token': { type: 'string', arg: 'JWT', help: 'your Cognito access token (visible to other local users: prefer the env or a file; env IMPERSONATION_ACCESS_TOKEN)' },
  'user-pool-id': { type: 'string', arg: 'ID', help: 'without a token: sign in to this pool (env IMPERSONATION_USER_POOL_ID)' },
  'client-id': { type: 'string', arg: 'ID', help: 'without a token: an app client of the pool without a secret, allowing SRP (env IMPERSONATION_CLIENT_ID)' },
  'username': { type: 'string', arg: 'NAME', help: 'without a token: your username (env IMPERSONATION_USERNAME; prompted otherwise)' },
};

const OUTPUT: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print JSON on stdout instead of a table, and no progress' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

const TOKENS: Record<string, OptionSpec> = {
  'show-tokens': { type: 'boolean', help: 'print the tokens (they are hidden by default)' },
  'tokens-file': { type: 'string', arg: 'PATH', help: 'write the tokens to PATH as JSON, readable by you only (mode 0600)' },
};

export interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly options: Record<string, OptionSpec>;
  /** One positional argument, stored in the parsed options under `key`. */
  readonly positional?: { readonly key: string; readonly arg: string; readonly help: string };
  readonly notes?: string;
}

export const COMMANDS: Record<string, CommandSpec> = {
  'start': {
    summary: 'start impersonating a user (customChallenge: get their tokens; groups: borrow their groups)',
    usage: 'start --target USER --reason TEXT [--duration 30m] [--approval ID]',
    options: {
      target: { type: 'string', arg: 'USER', help: 'the user to impersonate: username, alias (email) or sub' },
      reason: { type: 'string', arg: 'TEXT', help: 'why: a ticket id or text (recorded in the audit trail)' },
      duration: { type: 'string', arg: 'TIME', help: 'groups: how long, e.g. 30m, 1h or 45 (minutes); default: the construct\'s' },
      approval: { type: 'string', arg: 'ID', help: 'with approval: complete the start with this approved request (same target, reason, duration)' },
      ...TOKENS,
      ...BROKER,
      ...ADMIN,
      ...OUTPUT,
    },
    notes: 'customChallenge tokens are hidden unless --show-tokens or --tokens-file is given.\n'
      + 'With approval, a start without --approval prints the pending request\'s id: once an approver\n'
      + 'approved it, run the same start again with --approval ID.',
  },
  'end': {
    summary: 'groups: end your session now (the borrowed groups are removed, you are signed out)',
    usage: 'end [--session ID]',
    options: {
      session: { type: 'string', arg: 'ID', help: 'the session to end (default: every session of yours)' },
      ...BROKER,
      ...ADMIN,
      ...OUTPUT,
    },
  },
  'list': {
    summary: 'groups: list every open impersonation session',
    usage: 'list',
    options: { ...BROKER, ...ADMIN, ...OUTPUT },
  },
  'status': {
    summary: 'who you are, which broker and strategy, and your open sessions or tokens',
    usage: 'status [--tokens-file PATH]',
    options: {
      'strategy': { type: 'string', arg: 'NAME', help: 'customChallenge or groups, when your AWS credentials may not read the broker\'s configuration' },
      'tokens-file': { type: 'string', arg: 'PATH', help: 'customChallenge: tokens written by `start --tokens-file`, to show whom and how long' },
      ...BROKER,
      ...ADMIN,
      ...OUTPUT,
    },
  },
  'approve': {
    summary: 'approval: approve another person\'s pending impersonation request (approver group)',
    usage: 'approve REQUEST_ID',
    positional: { key: 'request-id', arg: 'REQUEST_ID', help: 'the request, as `pending` lists it' },
    options: { ...BROKER, ...ADMIN, ...OUTPUT },
  },
  'reject': {
    summary: 'approval: reject another person\'s pending impersonation request (approver group)',
    usage: 'reject REQUEST_ID [--reason TEXT]',
    positional: { key: 'request-id', arg: 'REQUEST_ID', help: 'the request, as `pending` lists it' },
    options: {
      reason: { type: 'string', arg: 'TEXT', help: 'a note for the requester (recorded in the audit trail)' },
      ...BROKER,
      ...ADMIN,
      ...OUTPUT,
    },
  },
  'pending': {
    summary: 'approval: the requests waiting for your decision, and your own requests with their state',
    usage: 'pending',
    options: { ...BROKER, ...ADMIN, ...OUTPUT },
  },
  'sign-in': {
    summary: 'preTokenGeneration: sign in with SRP asking to impersonate (or, without --target, just sign in)',
    usage: 'sign-in --user-pool-id ID --client-id ID [--username NAME] [--target USER --reason TEXT]',
    options: {
      'target': { type: 'string', arg: 'USER', help: 'the user to impersonate (sent as ClientMetadata `impersonate`)' },
      'reason': { type: 'string', arg: 'TEXT', help: 'why (sent as ClientMetadata `impersonationReason`)' },
      'user-pool-id': ADMIN['user-pool-id'],
      'client-id': ADMIN['client-id'],
      'username': ADMIN.username,
      'claim-name': { type: 'string', arg: 'NAME', help: 'the claim the construct adds (its claimName; default impersonating)' },
      ...TOKENS,
      ...OUTPUT,
    },
    notes: 'Without --target this signs you in as yourself: write the tokens with --tokens-file and pass\n'
      + 'that file to the other commands as --access-token-file.',
  },
};

export type ParsedOptions = Record<string, string | boolean | undefined>;

/** Parses a command's options with node's own parser: unknown options and stray arguments are usage errors. */
export function parseCommandOptions(command: string, args: readonly string[]): ParsedOptions {
  const spec = COMMANDS[command];
  const options = Object.fromEntries(Object.entries(spec.options)
    .map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
  let parsed: { values: ParsedOptions; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: spec.positional !== undefined, strict: true }) as typeof parsed;
  } catch (err) {
    throw usage(`${(err as Error).message.replace(/\. To specify.*$/s, '')}. See \`cdk-cognito-impersonation ${command} --help\`.`);
  }
  if (!spec.positional) return parsed.values;
  if (parsed.positionals.length > 1) throw usage(`${command} takes one ${spec.positional.arg}. See \`cdk-cognito-impersonation ${command} --help\`.`);
  return { ...parsed.values, [spec.positional.key]: parsed.positionals[0] };
}

const NAME = 'cdk-cognito-impersonation';

export function commandHelp(command: string): string {
  const spec = COMMANDS[command];
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.arg ? ` ${o.arg}` : ''}`;
    return [flag, o.help];
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `Usage: ${NAME} ${spec.usage} [options]`,
    '',
    spec.summary,
    '',
    ...(spec.positional ? ['Arguments:', `  ${spec.positional.arg}  ${spec.positional.help}`, ''] : []),
    'Options:',
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`),
    ...(spec.notes ? ['', spec.notes] : []),
    '',
  ].join('\n');
}

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `Usage: ${NAME} <command> [options]`,
    '',
    'Support-staff impersonation with the broker of a CognitoImpersonation construct.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`${NAME} <command> --help\` for a command's options.`,
    'Exit codes: 0 done, 2 usage, 3 AWS call failed, 4 broker not found, 5 not signed in,',
    '10-23 refused by the broker (10 InvalidRequest, 11 Unauthorized, 12 Forbidden, 13 TargetNotFound,',
    '14 TargetDisabled, 15 TargetProtected, 16 ReasonRequired, 17 TooManyGroups, 18 InternalError,',
    '19 SessionBusy, 20 SignInAgain, 21 LimitExceeded, 22 ApprovalPending (also: start created an approval',
    'request), 23 ApprovalRefused), 29 refused with a code this version does not know.',
    '',
  ].join('\n');
}

/** `30m`, `1h`, `90` (minutes) -> whole minutes. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,4})\s*(m|min|minutes?|h|hours?)?$/i.exec(text.trim());
  if (!m) throw usage(`--duration must be minutes or hours, like 30m or 1h (got "${text}").`);
  const n = Number(m[1]);
  return m[2]?.toLowerCase().startsWith('h') ? n * 60 : n;
}
