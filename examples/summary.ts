import * as path from 'path';
import type * as cxapi from 'aws-cdk-lib/cx-api';

type Resources = Record<string, { Type: string; Properties?: any; DeletionPolicy?: string }>;

/** A short, human-readable account of what the construct put into a synthesized stack. */
export function summarize(stack: cxapi.CloudFormationStackArtifact, outdir: string): string {
  const resources: Resources = stack.template.Resources ?? {};
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const lines: string[] = [];

  lines.push(`Synthesized stack ${stack.stackName} into ${path.relative(process.cwd(), outdir) || outdir}/ (${stack.templateFile})`);
  lines.push('');
  lines.push('Triggers wired into the user pool:');
  for (const [id, pool] of ofType('AWS::Cognito::UserPool')) {
    const config = pool.Properties?.LambdaConfig ?? {};
    for (const [slot, value] of Object.entries<any>(config)) {
      const arn = value?.LambdaArn ?? value;
      const version = value?.LambdaVersion ? ` (${value.LambdaVersion})` : '';
      lines.push(`  ${id}.${slot}${version} -> ${arn?.['Fn::GetAtt']?.[0] ?? JSON.stringify(arn)}`);
    }
  }
  if (!lines[lines.length - 1].startsWith('  ')) {
    lines.push('  (none: this strategy does not change sign-ins)');
  }
  lines.push('');
  lines.push('Functions:');
  for (const [id, fn] of ofType('AWS::Lambda::Function')) {
    const p = fn.Properties;
    lines.push(`  ${id}: ${p.Runtime} ${p.Architectures?.join(',')}, logs ${p.LoggingConfig?.LogFormat} -> ${p.LoggingConfig?.LogGroup?.Ref}`);
  }
  const clients = ofType('AWS::Cognito::UserPoolClient').filter(([, c]) => c.Properties?.ClientName === 'cdk-cognito-impersonation');
  const schedules = ofType('AWS::SecretsManager::RotationSchedule');
  if (clients.length + schedules.length > 0) {
    lines.push('');
    lines.push('Impersonation client and signing key:');
  }
  for (const [id, c] of clients) {
    const p = c.Properties;
    lines.push(`  client ${id}: ${p.ExplicitAuthFlows.join(',')}, tokens ${p.AccessTokenValidity} ${p.TokenValidityUnits.AccessToken}, secret ${p.GenerateSecret}`);
  }
  for (const [id, schedule] of schedules) {
    lines.push(`  signing key rotation ${id}: ${schedule.Properties.RotationRules.ScheduleExpression} by ${schedule.Properties.RotationLambdaARN?.['Fn::GetAtt']?.[0]}`);
  }
  lines.push('');
  lines.push('Audit log group:');
  for (const [id, group] of ofType('AWS::Logs::LogGroup')) {
    const encrypted = group.Properties?.KmsKeyId ? ', KMS-encrypted' : '';
    lines.push(`  ${id}: retention ${group.Properties?.RetentionInDays} days, ${group.DeletionPolicy ?? 'Delete'} on removal${encrypted}`);
  }
  lines.push(`  metric filters: ${ofType('AWS::Logs::MetricFilter').map(([, f]) => f.Properties.MetricTransformations[0].MetricName).join(', ')}`);
  lines.push('');
  lines.push('Alarms:');
  for (const [id, alarm] of ofType('AWS::CloudWatch::Alarm')) {
    lines.push(`  ${id}: >= ${alarm.Properties.Threshold} in 5 min: ${alarm.Properties.AlarmDescription}`);
  }
  return lines.join('\n');
}
