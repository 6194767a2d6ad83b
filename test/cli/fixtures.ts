import * as fs from 'fs';
import type { Io } from '../../cli/io';
import { main, type Dependencies } from '../../cli/main';

/** A JWT-shaped token with these claims (unsigned: the CLI only reads claims for display). */
export function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'test' })}.${part(claims)}.c2lnbmF0dXJl`;
}

export const NOW = Date.parse('2026-11-22T10:15:00.000Z');
export const ADMIN_SUB = '0b8c2a6e-0000-4000-8000-000000000001';
export const ADMIN_TOKEN = jwt({ sub: ADMIN_SUB, username: 'alice', token_use: 'access', exp: NOW / 1000 + 3600 });

/** A file's permission bits, as `ls -l` shows them in octal ("600"). */
export function modeOf(file: string): string {
  return fs.statSync(file).mode.toString(8).slice(-3);
}

/** Runs the CLI in-process with captured output, scripted prompt answers and env. */
export async function run(argv: string[], options: {
  env?: Record<string, string | undefined>;
  answers?: string[];
  deps?: Partial<Dependencies>;
  stderrIsTTY?: boolean;
} = {}) {
  let stdout = '';
  let stderr = '';
  const prompts: Array<{ question: string; secret: boolean }> = [];
  const answers = [...(options.answers ?? [])];
  const io: Io = {
    env: { AWS_REGION: 'eu-west-1', ...options.env },
    stdout: { write: (s: string) => { stdout += s; return true; } },
    stderr: { write: (s: string) => { stderr += s; return true; }, isTTY: options.stderrIsTTY },
    prompt: async (question, { secret }) => {
      prompts.push({ question, secret });
      const a = answers.shift();
      if (a === undefined) throw new Error('stdin ended before the answer was given');
      return a;
    },
  };
  const code = await main(argv, io, { now: () => NOW, ...options.deps });
  return { code, stdout, stderr, prompts };
}

/** The Lambda Invoke output of a broker answer. */
export function brokerAnswer(body: unknown, functionError?: string) {
  return { StatusCode: 200, Payload: new Uint8Array(Buffer.from(JSON.stringify(body))) as any, FunctionError: functionError };
}

/** The request the broker received in an Invoke call. */
export function sentRequest(input: { Payload?: unknown }): Record<string, unknown> {
  return JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'));
}
