import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ADMIN_TOKEN, brokerAnswer, run } from './fixtures';
import { REFUSAL_EXIT } from '../../cli/errors';
import { BROKER_ERROR } from '../../src/private/contract';

const lambda = mockClient(LambdaClient);
const cfn = mockClient(CloudFormationClient);
beforeEach(() => {
  lambda.reset();
  cfn.reset();
});

const LIST = ['list', '--function', 'broker-fn', '--access-token', ADMIN_TOKEN];

function awsError(name: string, message = name, extra: object = {}) {
  return Object.assign(new Error(message), { name, $metadata: {}, ...extra });
}

describe('refusals: the broker\'s code, its message, and one exit code per code', () => {
  test.each(Object.values(BROKER_ERROR))('%s', async (code) => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ error: { code, message: 'Fixed text.' } }));
    const out = await run(LIST);
    expect(out.code).toBe(REFUSAL_EXIT[code]);
    expect(out.stderr).toContain(`error: ${code}: Fixed text.`);
    expect(out.stdout).toBe('');
  });

  test('exit codes are distinct, non-zero, and an unknown code still fails', async () => {
    const codes = Object.values(BROKER_ERROR).map((c) => REFUSAL_EXIT[c]);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((c) => c >= 10 && c < 29)).toBe(true);
    lambda.on(InvokeCommand).resolves(brokerAnswer({ error: { code: 'SomethingNew', message: 'x' } }));
    expect((await run(LIST)).code).toBe(29);
  });

  test('unauthorized: with --json the error is JSON on stdout too', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ error: { code: 'Unauthorized', message: 'The access token is missing, invalid or expired.' } }));
    const out = await run([...LIST, '--json']);
    expect(out.code).toBe(11);
    expect(JSON.parse(out.stdout)).toEqual({ error: { code: 'Unauthorized', message: 'The access token is missing, invalid or expired.' } });
  });
});

describe('failures before the broker decides', () => {
  test('missing broker function: exit 4, named', async () => {
    lambda.on(InvokeCommand).rejects(awsError('ResourceNotFoundException', 'Function not found: arn:…'));
    const out = await run(LIST);
    expect(out.code).toBe(4);
    expect(out.stderr).toContain('error: BrokerNotFound: No function broker-fn in this account and region.');
  });

  test('network error: exit 3, and the message says what to check', async () => {
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }));
    const out = await run(LIST);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('error: NetworkError: Could not reach AWS to invoke the broker broker-fn: ECONNREFUSED');
  });

  test('IAM says no (no grantImpersonate): exit 3 AccessDenied', async () => {
    lambda.on(InvokeCommand).rejects(awsError('AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized to perform: lambda:InvokeFunction'));
    const out = await run(LIST);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('error: AccessDenied: Your AWS credentials may not invoke the broker');
  });

  test('no AWS credentials: exit 3 NoCredentials', async () => {
    lambda.on(InvokeCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    expect((await run(LIST)).stderr).toContain('error: NoCredentials');
  });

  test('the broker crashed (FunctionError): exit 3, the error type only', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 10.00 seconds' }, 'Unhandled'));
    const out = await run(LIST);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('error: BrokerFailed: The broker failed (Sandbox.Timedout)');
  });

  test('an answer that is not JSON is a failure, not a success', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: new Uint8Array(Buffer.from('null')) as any });
    expect((await run(LIST)).code).toBe(3);
  });

  test('no broker named: a usage error, nothing called', async () => {
    const out = await run(['list', '--access-token', ADMIN_TOKEN]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--stack NAME');
    expect(lambda.calls()).toHaveLength(0);
  });

  test('the broker function may come from IMPERSONATION_BROKER_FUNCTION', async () => {
    lambda.on(InvokeCommand).resolves(brokerAnswer({ sessions: [] }));
    await run(['list', '--access-token', ADMIN_TOKEN], { env: { IMPERSONATION_BROKER_FUNCTION: 'from-env' } });
    expect(lambda.commandCalls(InvokeCommand)[0].args[0].input.FunctionName).toBe('from-env');
  });
});

describe('finding the broker in a stack', () => {
  const resource = (LogicalResourceId: string, PhysicalResourceId: string, ResourceType = 'AWS::Lambda::Function') =>
    ({ LogicalResourceId, PhysicalResourceId, ResourceType, ResourceStatus: 'CREATE_COMPLETE' as const, LastUpdatedTimestamp: new Date() });
  const STACK = ['list', '--stack', 'SupportStack', '--access-token', ADMIN_TOKEN];

  test('the broker function among the stack\'s resources, across pages', async () => {
    cfn.on(ListStackResourcesCommand)
      .resolvesOnce({ StackResourceSummaries: [resource('ImpersonationBrokerRoleD88646C3', 'role', 'AWS::IAM::Role'), resource('ImpersonationEndSessionFunctionAB12CD34', 'end-fn')], NextToken: 'p2' })
      .resolvesOnce({ StackResourceSummaries: [resource('ImpersonationBrokerFunction1FBC39DB', 'SupportStack-ImpersonationBroker-XYZ')] });
    lambda.on(InvokeCommand).resolves(brokerAnswer({ sessions: [] }));
    const out = await run(STACK);
    expect(out.code).toBe(0);
    expect(cfn.commandCalls(ListStackResourcesCommand)[1].args[0].input).toEqual({ StackName: 'SupportStack', NextToken: 'p2' });
    expect(lambda.commandCalls(InvokeCommand)[0].args[0].input.FunctionName).toBe('SupportStack-ImpersonationBroker-XYZ');
    expect(out.stderr).toContain('Finding the broker in stack SupportStack…');
  });

  test('two constructs: --construct picks one; without it, a usage error naming both', async () => {
    cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        resource('SupportImpersonationBrokerFunction1FBC39DB', 'support-broker'),
        resource('OpsImpersonationBrokerFunction2ABC39DB', 'ops-broker'),
      ],
    });
    lambda.on(InvokeCommand).resolves(brokerAnswer({ sessions: [] }));
    const ambiguous = await run(STACK);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('SupportImpersonationBrokerFunction1FBC39DB, OpsImpersonationBrokerFunction2ABC39DB');
    expect((await run([...STACK, '--construct', 'Ops/Impersonation'])).code).toBe(0);
    expect(lambda.commandCalls(InvokeCommand)[0].args[0].input.FunctionName).toBe('ops-broker');
  });

  test('no such stack, or a stack without a broker (preTokenGeneration): exit 4', async () => {
    cfn.on(ListStackResourcesCommand).rejectsOnce(awsError('ValidationError', 'Stack with id SupportStack does not exist'));
    const missing = await run(STACK);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('error: StackNotFound');
    cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [resource('ImpersonationPreTokenGenerationFunction11112222', 'pt')] });
    const none = await run(STACK);
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('has no impersonation broker (the preTokenGeneration strategy has none: use sign-in)');
    expect(lambda.calls()).toHaveLength(0);
  });

  test('a network error while reading the stack: exit 3', async () => {
    cfn.on(ListStackResourcesCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }));
    const out = await run(STACK);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('error: NetworkError: Could not reach AWS to read the stack SupportStack');
  });
});
