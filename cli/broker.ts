import { CloudFormationClient, paginateListStackResources, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { awsFailure, clientConfig, type AwsSettings } from './aws';
import { CliError, EXIT, Refusal, usage } from './errors';
import { ENV } from '../src/private/contract';

/** Where the broker is: a function name, or a stack (and the construct, if it holds several). */
export interface BrokerLocation extends AwsSettings {
  readonly functionName?: string;
  readonly stackName?: string;
  readonly constructId?: string;
}

/** The construct names its broker `Broker` (`<construct>/Broker/Function`): so does its logical id. */
const BROKER_LOGICAL_ID = /Broker(Function)?[0-9A-F]{8}$/;

/** The broker function's name, from the options or from the stack's resources. */
export async function findBroker(where: BrokerLocation): Promise<string> {
  if (where.functionName) return where.functionName;
  if (!where.stackName) {
    throw usage('Name the broker: --stack NAME (the stack holding the construct) or --function NAME.');
  }
  const cfn = new CloudFormationClient(clientConfig(where));
  const found: StackResourceSummary[] = [];
  try {
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: where.stackName })) {
      found.push(...(page.StackResourceSummaries ?? []));
    }
  } catch (err) {
    if ((err as Error).name === 'ValidationError' && /does not exist/.test((err as Error).message)) {
      throw new CliError(EXIT.BROKER_NOT_FOUND, 'StackNotFound', `No stack named ${where.stackName} in this account and region.`);
    }
    throw awsFailure(err, `read the stack ${where.stackName}`);
  }
  const prefix = where.constructId?.replace(/[^A-Za-z0-9]/g, '');
  const brokers = found.filter((r) => r.ResourceType === 'AWS::Lambda::Function'
    && BROKER_LOGICAL_ID.test(r.LogicalResourceId ?? '')
    && (!prefix || r.LogicalResourceId!.startsWith(prefix))
    && r.PhysicalResourceId);
  if (brokers.length === 0) {
    throw new CliError(EXIT.BROKER_NOT_FOUND, 'BrokerNotFound',
      `The stack ${where.stackName} has no impersonation broker${prefix ? ` in construct ${where.constructId}` : ''} `
      + '(the preTokenGeneration strategy has none: use sign-in).');
  }
  if (brokers.length > 1) {
    throw usage(`The stack ${where.stackName} has ${brokers.length} brokers (${brokers.map((b) => b.LogicalResourceId).join(', ')}): `
      + 'name the construct with --construct ID.');
  }
  return brokers[0].PhysicalResourceId!;
}

/** The broker's strategy, from its configuration; undefined when the operator may not read it. */
export async function brokerStrategy(functionName: string, aws: AwsSettings): Promise<string | undefined> {
  try {
    const config = await new LambdaClient(clientConfig(aws)).send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return config.Environment?.Variables?.[ENV.STRATEGY];
  } catch (err) {
    if ((err as Error).name === 'AccessDeniedException') return undefined;
    if ((err as Error).name === 'ResourceNotFoundException') throw notFound(functionName);
    throw awsFailure(err, `read the configuration of ${functionName}`);
  }
}

function notFound(functionName: string): CliError {
  return new CliError(EXIT.BROKER_NOT_FOUND, 'BrokerNotFound', `No function ${functionName} in this account and region.`);
}

/**
 * Invokes the broker with one request and returns its answer; a refusal (`{ error }`) becomes
 * a Refusal carrying the broker's code and fixed message.
 */
export async function invokeBroker<T>(functionName: string, aws: AwsSettings, request: Record<string, unknown>): Promise<T> {
  let out;
  try {
    out = await new LambdaClient(clientConfig(aws)).send(new InvokeCommand({
      FunctionName: functionName,
      Payload: Buffer.from(JSON.stringify(request)),
    }));
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') throw notFound(functionName);
    throw awsFailure(err, `invoke the broker ${functionName}`);
  }
  let body: any;
  try {
    body = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8'));
  } catch {
    body = undefined;
  }
  if (out.FunctionError) {
    // A crash or a timeout: the broker answers every refusal itself, so this is a fault to report.
    throw new CliError(EXIT.AWS, 'BrokerFailed',
      `The broker failed (${body?.errorType ?? out.FunctionError}); its logs are in the audit log group.`);
  }
  if (!body || typeof body !== 'object') {
    throw new CliError(EXIT.AWS, 'BrokerFailed', 'The broker returned something that is not a JSON object.');
  }
  if (body.error && typeof body.error === 'object') {
    throw new Refusal(String(body.error.code ?? 'Unknown'), String(body.error.message ?? ''));
  }
  return body as T;
}
