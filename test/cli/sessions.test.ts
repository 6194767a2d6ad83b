import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ADMIN_SUB, ADMIN_TOKEN, NOW, brokerAnswer, jwt, run, sentRequest } from './fixtures';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());

const AUTH = ['--function', 'broker-fn', '--access-token', ADMIN_TOKEN];
const SESSION = (sessionId: string, admin: { sub: string; username: string }, extra: object = {}) => ({
  sessionId,
  admin,
  target: { sub: '7d1e0000-0000-4000-8000-000000000002', username: 'bob' },
  groupsAdded: ['customers'],
  reason: 'SUP-1234',
  startedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2026-11-22T10:30:00.000Z',
  expired: false,
  ...extra,
});
const MINE = SESSION('aaaa0000-0000-4000-8000-000000000001', { sub: ADMIN_SUB, username: 'alice' });
const THEIRS = SESSION('bbbb0000-0000-4000-8000-000000000002', { sub: '99990000-0000-4000-8000-000000000009', username: 'carol' }, { expired: true });

describe('end', () => {
  test('sends the session id when given, and shows what was removed', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ ended: [{ sessionId: MINE.sessionId, groupsRemoved: ['customers'] }], message: 'Ended: sign in again.' }));
    const out = await run(['end', '--session', MINE.sessionId, ...AUTH]);
    expect(out.code).toBe(0);
    expect(sentRequest(lambda.commandCalls(InvokeCommand)[0].args[0].input)).toEqual({ action: 'end', accessToken: ADMIN_TOKEN, sessionId: MINE.sessionId });
    expect(out.stdout).toMatch(new RegExp(`${MINE.sessionId}\\s+customers`));
    expect(out.stdout).toContain('Ended: sign in again.');
  });

  test('without --session, every session of the caller; nothing to end is not an error', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ ended: [], message: 'You have no active session to end.' }));
    const out = await run(['end', ...AUTH]);
    expect(sentRequest(lambda.commandCalls(InvokeCommand)[0].args[0].input)).toEqual({ action: 'end', accessToken: ADMIN_TOKEN });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('You have no active session to end.\n');
  });

  test('customChallenge has no end: the broker\'s InvalidRequest is exit 10', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ error: { code: 'InvalidRequest', message: 'This action is not offered by the configured strategy.' } }));
    const out = await run(['end', ...AUTH]);
    expect(out.code).toBe(10);
    expect(out.stderr).toContain('not offered by the configured strategy');
  });
});

describe('list', () => {
  test('a table of every open session; overdue ones are marked', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ sessions: [MINE, THEIRS], truncated: true }));
    const out = await run(['list', ...AUTH]);
    expect(sentRequest(lambda.commandCalls(InvokeCommand)[0].args[0].input)).toEqual({ action: 'list', accessToken: ADMIN_TOKEN });
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SESSION\s+ADMIN\s+TARGET\s+GROUPS\s+EXPIRES\s+REASON$/);
    expect(lines[1]).toMatch(new RegExp(`^${MINE.sessionId}\\s+alice\\s+bob\\s+customers\\s+2026-11-22T10:30:00.000Z\\s+SUP-1234$`));
    expect(lines[2]).toContain('(overdue)');
    expect(lines[3]).toBe('(more sessions exist than one answer lists)');
  });

  test('--json passes the broker\'s answer through, including fields this CLI does not know', async () => {
    const answer = { sessions: [{ ...MINE, newField: 1 }], truncated: false };
    lambda.on(InvokeCommand).resolves(brokerAnswer(answer));
    expect(JSON.parse((await run(['list', ...AUTH, '--json'])).stdout)).toEqual(answer);
  });

  test('no session', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ sessions: [], truncated: false }));
    expect((await run(['list', ...AUTH])).stdout).toBe('No open session.\n');
  });
});

describe('status', () => {
  const config = (strategy: string) => ({ Environment: { Variables: { IMPERSONATION_STRATEGY: strategy } } });

  test('groups: who you are, and only your own sessions among the open ones', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(config('groups'));
    lambda.on(InvokeCommand).resolves(brokerAnswer({ sessions: [MINE, THEIRS], truncated: false }));
    const out = await run(['status', ...AUTH]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/strategy\s+groups/);
    expect(out.stdout).toMatch(new RegExp(`you\\s+alice \\(${ADMIN_SUB}\\)`));
    expect(out.stdout).toMatch(/your token expires\s+2026-11-22T11:15:00.000Z \(in 60 min\)/);
    expect(out.stdout).toMatch(/open sessions\s+2/);
    expect(out.stdout).toContain(MINE.sessionId);
    expect(out.stdout).not.toContain(THEIRS.sessionId);
  });

  test('customChallenge: no broker action (a denial would be audited); the saved tokens\' target and expiry', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves(config('customChallenge'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const file = path.join(dir, 't.json');
    fs.writeFileSync(file, JSON.stringify({ accessToken: jwt({ username: 'bob', act: { username: 'alice' }, exp: NOW / 1000 + 600 }) }));
    const out = await run(['status', '--function', 'broker-fn', '--tokens-file', file]);
    expect(out.code).toBe(0);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(out.stdout).toMatch(/impersonating\s+bob \(acting: alice\)/);
    expect(out.stdout).toMatch(/tokens expire\s+2026-11-22T10:25:00.000Z \(in 10 min\)/);
    expect(out.stdout).not.toMatch(/^you/m);
  });

  test('a configuration the operator may not read: strategy unknown, and --strategy tells it', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const unknown = await run(['status', '--function', 'broker-fn', '--json']);
    expect(JSON.parse(unknown.stdout)).toEqual({ broker: 'broker-fn', strategy: null });
    lambda.on(InvokeCommand).resolves(brokerAnswer({ sessions: [MINE] }));
    const told = await run(['status', ...AUTH, '--strategy', 'groups', '--json']);
    expect(JSON.parse(told.stdout)).toMatchObject({ strategy: 'groups', yourSessions: [MINE], openSessions: 1 });
    expect(lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(1);
    expect((await run(['status', ...AUTH, '--strategy', 'other'])).code).toBe(2);
  });
});
