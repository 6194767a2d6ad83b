import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ADMIN_TOKEN, brokerAnswer, jwt, run, sentRequest, modeOf } from './fixtures';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());

const TARGET_ID = jwt({ 'sub': '7d1e0000-0000-4000-8000-000000000002', 'cognito:username': 'bob', 'token_use': 'id' });
const TARGET_ACCESS = jwt({ sub: '7d1e0000-0000-4000-8000-000000000002', username: 'bob', token_use: 'access', act: { username: 'alice' } });
const CHALLENGE_STARTED = {
  idToken: TARGET_ID,
  accessToken: TARGET_ACCESS,
  tokenType: 'Bearer',
  expiresIn: 900,
  expiresAt: '2026-11-22T10:30:00.000Z',
  sessionId: 'c1f20000-0000-4000-8000-000000000003',
  target: { username: 'bob', sub: '7d1e0000-0000-4000-8000-000000000002' },
};
const GROUPS_STARTED = {
  sessionId: 'c1f20000-0000-4000-8000-000000000003',
  target: { username: 'bob', sub: '7d1e0000-0000-4000-8000-000000000002' },
  groupsAdded: ['customers', 'beta-testers'],
  startedAt: '2026-11-22T10:15:00.123Z',
  expiresAt: '2026-11-22T10:45:01.000Z',
  expiresIn: 1801,
  message: 'Refresh your tokens (sign in again) to receive the groups; they are removed at expiresAt.',
};
const BASE = ['start', '--function', 'broker-fn', '--access-token', ADMIN_TOKEN, '--target', 'bob', '--reason', 'SUP-1234'];

describe('start', () => {
  test('sends exactly the broker contract: action, the admin token, target, reason', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer(CHALLENGE_STARTED));
    const { code } = await run(BASE);
    expect(code).toBe(0);
    const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(input.FunctionName).toBe('broker-fn');
    expect(sentRequest(input)).toEqual({ action: 'start', accessToken: ADMIN_TOKEN, target: 'bob', reason: 'SUP-1234' });
  });

  test('customChallenge: tokens are hidden by default, in the table and in JSON', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer(CHALLENGE_STARTED));
    const table = await run(BASE);
    expect(table.stdout).toMatch(/session\s+c1f20000-0000-4000-8000-000000000003/);
    expect(table.stdout).toMatch(/target\s+bob \(7d1e/);
    expect(table.stdout).toMatch(/expires\s+2026-11-22T10:30:00.000Z \(in 15 min\)/);
    expect(table.stdout).toMatch(/tokens\s+hidden \(use --tokens-file PATH or --show-tokens\)/);
    const json = await run([...BASE, '--json']);
    for (const out of [table, json]) {
      expect(out.stdout + out.stderr).not.toContain(TARGET_ID);
      expect(out.stdout + out.stderr).not.toContain(TARGET_ACCESS);
      expect(out.stdout + out.stderr).not.toContain(ADMIN_TOKEN);
    }
    expect(JSON.parse(json.stdout)).toMatchObject({ sessionId: CHALLENGE_STARTED.sessionId, tokensHidden: true });
    expect(JSON.parse(json.stdout).idToken).toBeUndefined();
  });

  test('--show-tokens prints them; --tokens-file writes them with mode 0600 and prints none', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer(CHALLENGE_STARTED));
    const shown = await run([...BASE, '--show-tokens']);
    expect(shown.stdout).toContain(TARGET_ID);
    expect(shown.stdout).toContain(TARGET_ACCESS);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const file = path.join(dir, 'tokens.json');
    fs.writeFileSync(file, 'old', { mode: 0o644 }); // an existing file is narrowed too
    const written = await run([...BASE, '--tokens-file', file]);
    expect(written.code).toBe(0);
    expect(modeOf(file)).toBe('600');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ idToken: TARGET_ID, accessToken: TARGET_ACCESS, expiresAt: CHALLENGE_STARTED.expiresAt });
    expect(written.stdout).toContain(`written to ${file} (mode 0600)`);
    expect(written.stdout).not.toContain(TARGET_ACCESS);
  });

  test('--tokens-file refuses to follow a symbolic link (tokens are not written elsewhere)', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer(CHALLENGE_STARTED));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const elsewhere = path.join(dir, 'elsewhere');
    fs.writeFileSync(elsewhere, '');
    fs.symlinkSync(elsewhere, path.join(dir, 'link'));
    const out = await run([...BASE, '--tokens-file', path.join(dir, 'link')]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('error: TokensFile: Could not write the tokens');
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('');
  });

  test('groups: --duration becomes whole minutes; the table shows the borrowed groups and the message', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer(GROUPS_STARTED));
    const out = await run([...BASE, '--duration', '1h']);
    expect(sentRequest(lambda.commandCalls(InvokeCommand)[0].args[0].input).durationMinutes).toBe(60);
    expect(out.stdout).toMatch(/groups added\s+customers, beta-testers/);
    expect(out.stdout).toContain('Refresh your tokens');
    expect(out.stdout).not.toMatch(/tokens\s+hidden/); // groups hands out no token
  });

  test.each([['45', 45], ['30m', 30], ['2h', 120], ['90 minutes', 90]])('--duration %s is %d minutes', async (text, minutes) => {
    lambda.on(InvokeCommand).resolves(brokerAnswer(GROUPS_STARTED));
    await run([...BASE, '--duration', text]);
    expect(sentRequest(lambda.commandCalls(InvokeCommand)[0].args[0].input).durationMinutes).toBe(minutes);
  });

  test('a malformed --duration or a missing --target is a usage error, and the broker is not called', async () => {
    expect((await run([...BASE, '--duration', 'soon'])).code).toBe(2);
    const noTarget = await run(['start', '--function', 'f', '--access-token', ADMIN_TOKEN]);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('start needs --target');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('progress goes to stderr, and not with --json', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer(GROUPS_STARTED));
    expect((await run(BASE)).stderr).toBe('Asking the broker to impersonate bob…\n');
    expect((await run([...BASE, '--json'])).stderr).toBe('');
  });

  test('on a terminal the spinner line is replaced by the outcome', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer(GROUPS_STARTED));
    const out = await run(BASE, { stderrIsTTY: true });
    expect(out.stderr).toMatch(/\r\u001b\[2KAsking the broker to impersonate bob: done \(\d+\.\ds\)\n$/);
  });
});
