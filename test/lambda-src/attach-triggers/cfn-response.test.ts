import * as http from 'http';
import type { AddressInfo } from 'net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  buildResponse,
  httpsPut,
  reasonFor,
  runCustomResource,
  sendWithRetry,
} from '../../../lambda-src/attach-triggers/cfn-response';

const RESPONSE_URL = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn%3Aaws%3Acloudformation?X-Amz-Signature=SECRET-SIGNATURE';

function event(requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:attach',
    ResponseURL: RESPONSE_URL,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/TestStack/1a2b3c4d',
    RequestId: 'b3a0c7d2-1f2e-4d5c-8b9a-0123456789ab',
    LogicalResourceId: 'ImpersonationTriggerAttachment',
    ResourceType: 'Custom::CognitoImpersonationTriggers',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:attach' },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update') return { ...common, RequestType: 'Update', PhysicalResourceId: 'existing-id', OldResourceProperties: common.ResourceProperties };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: 'existing-id' };
}

let sent: Array<{ url: string; body: any }>;
const send = async (url: string, body: string) => {
  sent.push({ url, body: JSON.parse(body) });
};

beforeEach(() => {
  sent = [];
  jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

describe('runCustomResource', () => {
  test('answers SUCCESS with the result, to the response URL, with every field CloudFormation requires', async () => {
    await runCustomResource(event('Create'), async () => ({ physicalResourceId: 'new-id', data: { Slots: 'PreTokenGeneration' } }), {
      send, createFailurePhysicalId: () => 'unused',
    });
    expect(sent).toEqual([{
      url: RESPONSE_URL,
      body: {
        Status: 'SUCCESS',
        PhysicalResourceId: 'new-id',
        StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/TestStack/1a2b3c4d',
        RequestId: 'b3a0c7d2-1f2e-4d5c-8b9a-0123456789ab',
        LogicalResourceId: 'ImpersonationTriggerAttachment',
        Data: { Slots: 'PreTokenGeneration' },
      },
    }]);
  });

  test('answers FAILED with the error\'s name and message when the work throws', async () => {
    const err = Object.assign(new Error('User pool eu-west-1_AbCdEf123 does not exist.'), { name: 'ResourceNotFoundException' });
    await runCustomResource(event('Update'), async () => { throw err; }, {
      send, createFailurePhysicalId: () => 'unused', logStreamName: '2026/01/02/[$LATEST]0123abcd',
    });
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toEqual({
      Status: 'FAILED',
      Reason: 'ResourceNotFoundException: User pool eu-west-1_AbCdEf123 does not exist. (details in log stream 2026/01/02/[$LATEST]0123abcd)',
      // An update that fails keeps its id: a new one would make CloudFormation replace the resource.
      PhysicalResourceId: 'existing-id',
      StackId: event('Update').StackId,
      RequestId: event('Update').RequestId,
      LogicalResourceId: 'ImpersonationTriggerAttachment',
      Data: {},
    });
  });

  test('a failed create answers with the id it is given, a failed delete with its own', async () => {
    await runCustomResource(event('Create'), async () => { throw new Error('boom'); }, { send, createFailurePhysicalId: () => 'failed-create-id' });
    await runCustomResource(event('Delete'), async () => { throw new Error('boom'); }, { send, createFailurePhysicalId: () => 'failed-create-id' });
    expect(sent.map((s) => [s.body.Status, s.body.PhysicalResourceId])).toEqual([['FAILED', 'failed-create-id'], ['FAILED', 'existing-id']]);
  });

  test('answers FAILED when the work takes longer than the deadline', async () => {
    jest.useFakeTimers();
    try {
      const done = runCustomResource(event('Create'), () => new Promise(() => {}), { send, deadlineMs: 55_000, createFailurePhysicalId: () => 'id' });
      await jest.advanceTimersByTimeAsync(55_000);
      await done;
    } finally {
      jest.useRealTimers();
    }
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', Reason: 'TimeoutError: no result within 55000 ms' });
  });

  test('answers FAILED when the work cannot even start (a module that fails to load)', async () => {
    await runCustomResource(event('Create'), () => { throw new TypeError('Cannot find module'); }, { send, createFailurePhysicalId: () => 'id' });
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', Reason: 'TypeError: Cannot find module' });
  });

  test('never puts the pre-signed response URL in the reason or the log', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => {});
    await expect(runCustomResource(event('Create'), async () => { throw new Error('failed'); }, {
      send: async (url, body) => {
        sent.push({ url, body: JSON.parse(body) });
        throw new Error('network down');
      },
      createFailurePhysicalId: () => 'id',
      retryDelayMs: 1,
    })).rejects.toThrow('network down');
    expect(sent).toHaveLength(3);
    expect(JSON.stringify(sent.map((s) => s.body))).not.toContain('SECRET-SIGNATURE');
    expect(JSON.stringify(error.mock.calls)).not.toContain('SECRET-SIGNATURE');
    expect(error).toHaveBeenCalled();
  });
});

describe('reasonFor', () => {
  test('is bounded, and says where the details are', () => {
    const reason = reasonFor(new Error('x'.repeat(5000)), 'stream');
    expect(reason.length).toBe(1000);
    expect(reason.endsWith('… (details in log stream stream)')).toBe(true);
  });

  test('a thrown non-error becomes a generic reason rather than its contents', () => {
    expect(reasonFor({ password: 'hunter2' })).toBe('Unexpected failure');
  });
});

describe('buildResponse', () => {
  test('a failure always has a reason', () => {
    expect(buildResponse(event('Delete'), 'FAILED', 'id').Reason).toBe('Failed');
  });
});

describe('sendWithRetry', () => {
  test('tries again after a failed delivery', async () => {
    const attempts: number[] = [];
    await sendWithRetry(async () => {
      attempts.push(attempts.length + 1);
      if (attempts.length < 3) throw new Error('connection reset');
    }, RESPONSE_URL, '{}', 3, 1);
    expect(attempts).toEqual([1, 2, 3]);
  });

  test('gives up after the last attempt, with the last error', async () => {
    let calls = 0;
    await expect(sendWithRetry(async () => {
      calls++;
      throw new Error(`attempt ${calls}`);
    }, RESPONSE_URL, '{}', 2, 1)).rejects.toThrow('attempt 2');
    expect(calls).toBe(2);
  });
});

describe('httpsPut', () => {
  let server: http.Server;
  let received: { method?: string; headers: http.IncomingHttpHeaders; body: string; url?: string };
  let status: number;
  let delayMs: number;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        received = { method: req.method, headers: req.headers, body, url: req.url };
        setTimeout(() => { res.statusCode = status; res.end(); }, delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => { status = 200; delayMs = 0; });

  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?X-Amz-Signature=abc`;

  test('PUTs the body with the empty content type the URL was signed for', async () => {
    const body = JSON.stringify({ Status: 'SUCCESS', Reason: 'é' });
    await httpsPut(url(), body, http.request);
    expect(received).toEqual({
      method: 'PUT',
      url: '/response?X-Amz-Signature=abc',
      body,
      headers: expect.objectContaining({ 'content-type': '', 'content-length': String(Buffer.byteLength(body)) }),
    });
  });

  test('rejects when the URL answers with an error status', async () => {
    status = 403;
    await expect(httpsPut(url(), '{}', http.request)).rejects.toThrow('the response URL answered HTTP 403');
  });

  test('rejects when the URL does not answer in time', async () => {
    delayMs = 500;
    await expect(httpsPut(url(), '{}', http.request, 50)).rejects.toThrow('no answer from the response URL within 50 ms');
  });
});
