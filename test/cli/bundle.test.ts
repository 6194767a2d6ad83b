import { spawnSync, spawn } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { FakeAws, type FakeUser } from './fake-aws';
import { modeOf } from './fixtures';

/**
 * The CLI as users run it: the bundle in assets/ (built by the projen bundle task), in a
 * child process, against fake AWS endpoints on localhost.
 */
const BUILT = path.join(__dirname, '..', '..', 'assets', 'cli', 'cdk-cognito-impersonation', 'index.js');
// Run a copy outside the repository: nothing can be resolved from our node_modules.
const BUNDLE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bundle-')), 'cdk-cognito-impersonation.js');
fs.copyFileSync(BUILT, BUNDLE);
const PACKAGE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

const ALICE: FakeUser = { username: 'alice', password: 'correct horse battery', sub: '0b8c0000-0000-4000-8000-00000000a11c', groups: ['support-impersonators'], mfaCode: '123456' };
const BOB: FakeUser = { username: 'bob', password: 'x', sub: '7d1e0000-0000-4000-8000-0000000000b0', groups: ['customers', 'beta-testers'] };
const ERIN: FakeUser = { username: 'erin', password: 'x', sub: 'e1110000-0000-4000-8000-00000000e111', groups: ['support-impersonators'] };

function cli(args: string[], env: Record<string, string> = {}, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the package\'s bin is the bundle, executable, self-contained and starting with a shebang', () => {
  expect(PACKAGE.bin['cdk-cognito-impersonation']).toBe('assets/cli/cdk-cognito-impersonation/index.js');
  expect(modeOf(BUILT)).toMatch(/^[1357]/); // executable by its owner
  const code = fs.readFileSync(BUILT, 'utf8');
  expect(code.startsWith('#!/usr/bin/env node')).toBe(true);
  // No package is required at run time, except optional ones each loaded inside a try
  // (the SDK's CRT signer for SigV4a, node-fetch's `encoding`): npx installs no dependency.
  const required = [...code.matchAll(/require\("([^"./][^"]*)"\)/g)].map((m) => m[1]).filter((m) => !m.startsWith('node:'));
  const builtins = new Set(builtinModules);
  expect(new Set(required.filter((m) => !builtins.has(m)))).toEqual(new Set(['@aws-sdk/signature-v4-crt', 'encoding']));
});

test('--help of every command through the bundle', () => {
  for (const command of ['start', 'end', 'list', 'status', 'sign-in']) {
    const out = spawnSync(process.execPath, [BUNDLE, command, '--help'], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`Usage: cdk-cognito-impersonation ${command}`);
  }
});

describe('groups, through the bundle', () => {
  let fake: FakeAws;
  beforeAll(async () => { fake = await new FakeAws({ strategy: 'groups', users: [ALICE, BOB, ERIN] }).start(); });
  afterAll(() => fake.close());
  const SIGN_IN = ['--stack', 'SupportStack', '--user-pool-id', 'eu-west-1_Example', '--client-id', 'consoleclient', '--username', 'alice'];

  test('sign in (SRP + MFA from piped stdin), find the broker in the stack, start, list, end', async () => {
    const started = await cli(['start', '--target', 'bob', '--reason', 'SUP-1234', '--duration', '30m', ...SIGN_IN], fake.env(), `${ALICE.password}\n123456\n`);
    // Piped answers are not echoed; the questions are still shown.
    expect(started.stderr).toBe('Password for alice: \nSigning in…\nCode from your authenticator app: \n'
      + 'Finding the broker in stack SupportStack…\nAsking the broker to impersonate bob…\n');
    expect(started.stderr + started.stdout).not.toContain(ALICE.password);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/groups added\s+customers, beta-testers/);
    expect(fake.brokerRequests.at(-1)).toMatchObject({ action: 'start', target: 'bob', reason: 'SUP-1234', durationMinutes: 30 });

    const token = fake.accessTokenOf('alice');
    const listed = await cli(['list', '--stack', 'SupportStack', '--json'], { ...fake.env(), IMPERSONATION_ACCESS_TOKEN: token });
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe('');
    expect(JSON.parse(listed.stdout).sessions).toHaveLength(1);

    const ended = await cli(['end', '--stack', 'SupportStack'], { ...fake.env(), IMPERSONATION_ACCESS_TOKEN: token });
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(/customers, beta-testers/);
    expect(fake.sessions).toHaveLength(0);
  });

  test('a refusal exits with its code; a missing broker and an unreachable endpoint too', async () => {
    const env = { ...fake.env(), IMPERSONATION_ACCESS_TOKEN: fake.accessTokenOf('alice') };
    const refused = await cli(['start', '--stack', 'SupportStack', '--target', 'erin', '--reason', 'r'], env);
    expect(refused.code).toBe(15);
    expect(refused.stderr).toContain('error: TargetProtected: The user is in a protected group.');
    const unauthorized = await cli(['list', '--stack', 'SupportStack'], { ...env, IMPERSONATION_ACCESS_TOKEN: 'a.b.c' });
    expect(unauthorized.code).toBe(11);
    const missing = await cli(['list', '--function', 'no-such-function'], env);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('error: BrokerNotFound: No function no-such-function');
    const noStack = await cli(['list', '--stack', 'OtherStack'], env);
    expect(noStack.code).toBe(4);
    const offline = await cli(['list', '--function', 'f'], { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(offline.code).toBe(3);
    expect(offline.stderr).toContain('error: NetworkError');
    expect(offline.stderr).not.toContain('NodeVersionSupportWarning');
  });
});

test('customChallenge through the bundle: tokens only into a 0600 file', async () => {
  const fake = await new FakeAws({ strategy: 'customChallenge', users: [ALICE, BOB] }).start();
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const file = path.join(dir, 'bob.json');
    const env = { ...fake.env(), IMPERSONATION_ACCESS_TOKEN: fake.accessTokenOf('alice') };
    const out = await cli(['start', '--stack', 'SupportStack', '--target', 'bob', '--reason', 'SUP-1', '--tokens-file', file], env);
    expect(out.code).toBe(0);
    expect(out.stdout).not.toMatch(/eyJ/);
    expect(modeOf(file)).toBe('600');
    const status = await cli(['status', '--stack', 'SupportStack', '--tokens-file', file], env);
    expect(status.stdout).toMatch(/strategy\s+customChallenge/);
    expect(status.stdout).toMatch(/impersonating\s+bob \(acting: alice\)/);
  } finally {
    await fake.close();
  }
});
