import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ADMIN_TOKEN, brokerAnswer, run, sentRequest } from './fixtures';
import { REFUSAL_EXIT } from '../../cli/errors';
import { BROKER_ERROR } from '../../src/private/contract';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());

const REQUEST_ID = '8f14e45f-ea8e-4b6b-9c1d-3a5b7c9d1e2f';
const BROKER = ['--function', 'broker-fn', '--access-token', ADMIN_TOKEN];
const START = ['start', ...BROKER, '--target', 'bob', '--reason', 'SUP-1234'];
const PENDING_ANSWER = {
  approval: { requestId: REQUEST_ID, state: 'PENDING', expiresAt: '2026-11-22T10:45:00.000Z' },
  message: 'This impersonation needs approval.',
};
const SUMMARY = {
  requestId: REQUEST_ID,
  requester: { username: 'alice', sub: '0b8c2a6e-0000-4000-8000-000000000001' },
  target: { username: 'bob', sub: '7d1e0000-0000-4000-8000-000000000002' },
  reason: 'SUP-1234',
  strategy: 'groups',
  requestedAt: '2026-11-22T10:15:00.000Z',
  expiresAt: '2026-11-22T10:45:00.000Z',
};
const sent = () => sentRequest(lambda.commandCalls(InvokeCommand)[0].args[0].input);

describe('start with approval', () => {
  test('a pending answer: the request id, its expiry and what to do next; exit 22 (nothing granted)', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer(PENDING_ANSWER));
    const out = await run(START);
    expect(out.code).toBe(22);
    expect(out.stdout).toMatch(new RegExp(`approval\\s+${REQUEST_ID} \\(pending\\)`));
    expect(out.stdout).toMatch(/expires\s+2026-11-22T10:45:00.000Z \(in 30 min\)/);
    expect(out.stdout).toContain(`approve ${REQUEST_ID}`);
    expect(out.stdout).toContain(`--approval ${REQUEST_ID}`);
    const json = await run([...START, '--json']);
    expect(json.code).toBe(22);
    expect(JSON.parse(json.stdout)).toMatchObject({ approval: PENDING_ANSWER.approval });
  });

  test('--approval sends approvalId with the same request', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({
      sessionId: 'c1f20000-0000-4000-8000-000000000003',
      target: { username: 'bob' },
      groupsAdded: ['customers'],
      startedAt: '2026-11-22T10:15:00.000Z',
      expiresAt: '2026-11-22T10:30:00.000Z',
    }));
    const out = await run([...START, '--approval', REQUEST_ID]);
    expect(out.code).toBe(0);
    expect(sent()).toEqual({ action: 'start', accessToken: ADMIN_TOKEN, target: 'bob', reason: 'SUP-1234', approvalId: REQUEST_ID });
  });

  test('--approval that is not a request id: exit 2, nothing sent', async () => {
    const out = await run([...START, '--approval', 'approval#1']);
    expect(out.code).toBe(2);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test.each([
    [BROKER_ERROR.APPROVAL_PENDING, 22],
    [BROKER_ERROR.APPROVAL_REFUSED, 23],
  ])('a %s refusal exits %d with the broker\'s message', async (code, exit) => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ error: { code, message: 'The request was rejected.' } }));
    const out = await run([...START, '--approval', REQUEST_ID]);
    expect(out.code).toBe(exit);
    expect(REFUSAL_EXIT[code]).toBe(exit);
    expect(out.stderr).toContain(`error: ${code}: The request was rejected.`);
  });
});

describe('approve and reject', () => {
  test('approve REQUEST_ID: sends exactly action, token and approvalId; shows the window', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({
      approval: { ...SUMMARY, state: 'APPROVED', approver: { username: 'paula' }, completeBy: '2026-11-22T10:25:00.000Z' },
      message: 'Approved. alice may now complete the start until 2026-11-22T10:25:00.000Z.',
    }));
    const out = await run(['approve', REQUEST_ID, ...BROKER]);
    expect(out.code).toBe(0);
    expect(sent()).toEqual({ action: 'approve', accessToken: ADMIN_TOKEN, approvalId: REQUEST_ID });
    expect(out.stdout).toMatch(/state\s+APPROVED/);
    expect(out.stdout).toMatch(/requester\s+alice/);
    expect(out.stdout).toMatch(/complete by\s+2026-11-22T10:25:00.000Z \(in 10 min\)/);
    expect(out.stdout).not.toContain(ADMIN_TOKEN);
  });

  test('reject REQUEST_ID --reason: the note is sent as reason', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ approval: { ...SUMMARY, state: 'REJECTED', rejectionNote: 'no consent' }, message: 'Rejected.' }));
    const out = await run(['reject', REQUEST_ID, '--reason', 'no consent', ...BROKER]);
    expect(out.code).toBe(0);
    expect(sent()).toEqual({ action: 'reject', accessToken: ADMIN_TOKEN, approvalId: REQUEST_ID, reason: 'no consent' });
    expect(out.stdout).toMatch(/note\s+no consent/);
  });

  test.each([
    [['approve', ...BROKER], /approve needs the REQUEST_ID/],
    [['approve', 'not-an-id', ...BROKER], /REQUEST_ID must be a request id/],
    [['reject', REQUEST_ID, REQUEST_ID, ...BROKER], /reject takes one REQUEST_ID/],
    [['approve', REQUEST_ID, '--reason', 'x', ...BROKER], /Unknown option '--reason'/],
  ])('%j: exit 2, nothing sent', async (argv, message) => {
    const out = await run(argv as string[]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('self-approval is the broker\'s Forbidden: exit 12', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ error: { code: 'Forbidden', message: 'You cannot approve or reject your own request.' } }));
    const out = await run(['approve', REQUEST_ID, ...BROKER]);
    expect(out.code).toBe(12);
    expect(out.stderr).toContain('You cannot approve or reject your own request.');
  });
});

describe('pending', () => {
  test('what waits for you, and your own requests with their state', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({
      toDecide: [{ ...SUMMARY, state: 'PENDING' }],
      mine: [{ ...SUMMARY, requestId: '9a9a9a9a-0000-4000-8000-000000000009', state: 'APPROVED', completeBy: '2026-11-22T10:20:00.000Z' }],
      truncated: false,
    }));
    const out = await run(['pending', ...BROKER]);
    expect(out.code).toBe(0);
    expect(sent()).toEqual({ action: 'pending', accessToken: ADMIN_TOKEN });
    expect(out.stdout).toContain('Waiting for your decision:');
    expect(out.stdout).toMatch(new RegExp(`${REQUEST_ID}\\s+PENDING\\s+alice\\s+bob\\s+2026-11-22T10:45:00.000Z \\(in 30 min\\)\\s+SUP-1234`));
    expect(out.stdout).toContain('Your requests:');
    expect(out.stdout).toMatch(/9a9a9a9a-0000-4000-8000-000000000009\s+APPROVED\s+alice\s+bob\s+2026-11-22T10:20:00.000Z \(in 5 min\)/);
  });

  test('nothing: says so; --json prints the answer', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ toDecide: [], mine: [], truncated: false }));
    expect((await run(['pending', ...BROKER])).stdout).toBe('Nothing waits for your decision.\n');
    expect(JSON.parse((await run(['pending', ...BROKER, '--json'])).stdout)).toEqual({ toDecide: [], mine: [], truncated: false });
  });
});
