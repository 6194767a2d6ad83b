import { CliError, EXIT } from './errors';

/** The operator's AWS settings: the SDK's default credential chain unless a profile is named. */
export interface AwsSettings {
  readonly region?: string;
  readonly profile?: string;
}

export function clientConfig(aws: AwsSettings): { region?: string; profile?: string } {
  return { ...(aws.region ? { region: aws.region } : {}), ...(aws.profile ? { profile: aws.profile } : {}) };
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * An SDK failure as the operator can act on it. The message names what to fix; the SDK's own
 * message is kept only for AWS errors, which carry no token of ours.
 */
export function awsFailure(err: unknown, what: string): CliError {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: unknown };
  const name = e?.name ?? 'Error';
  if (NETWORK.has(e?.code ?? '') || name === 'TimeoutError' || /ECONNREFUSED|ENOTFOUND|socket hang up|getaddrinfo/.test(e?.message ?? '')) {
    return new CliError(EXIT.AWS, 'NetworkError', `Could not reach AWS to ${what}: ${e.code ?? name}. Check the network and --region.`);
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return new CliError(EXIT.AWS, 'NoCredentials', `No AWS credentials to ${what}: use --profile, or configure the SDK's default chain.`);
  }
  if (/Region is missing/i.test(e?.message ?? '')) {
    return new CliError(EXIT.AWS, 'NoRegion', 'No AWS region: use --region, or set AWS_REGION.');
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new CliError(EXIT.AWS, 'AccessDenied', `Your AWS credentials may not ${what} (${e.message ?? name}).`);
  }
  return new CliError(EXIT.AWS, name, `Could not ${what}: ${e?.message ?? name}`);
}
