import { CfnResource } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { nagFindings } from './helpers';
import { CognitoImpersonation, ImpersonationStrategy } from '../src';

/** A pool that passes AwsSolutions itself, so that every finding left is the construct's. */
function compliantPool(scope: Construct) {
  const pool = new cognito.UserPool(scope, 'UserPool', {
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireSymbols: true, requireUppercase: true },
  });
  // COG3 (advanced security) needs the Plus plan; it is a property of the app's pool, not of this construct.
  NagSuppressions.addResourceSuppressions(pool, [
    { id: 'AwsSolutions-COG3', reason: 'Test fixture: threat protection is the pool owner\'s choice (Plus plan), not the construct\'s.' },
  ]);
  return pool;
}

describe('cdk-nag AwsSolutions', () => {
  test('the checks do run: a default user pool is reported', () => {
    const { errors } = nagFindings((stack) => {
      new CognitoImpersonation(stack, 'Impersonation', {
        userPool: new cognito.UserPool(stack, 'UserPool'),
        strategy: ImpersonationStrategy.preTokenGeneration(),
        adminGroupName: 'support-impersonators',
      });
    });
    expect(errors.map((e) => e.entry.data)).toEqual(expect.arrayContaining([expect.stringMatching(/AwsSolutions-COG1/)]));
  });

  const strategies: Array<[string, () => ImpersonationStrategy]> = [
    ['preTokenGeneration', () => ImpersonationStrategy.preTokenGeneration()],
    ['customChallenge', () => ImpersonationStrategy.customChallenge()],
    ['groups', () => ImpersonationStrategy.groups()],
  ];
  /** The construct with `strategy` on a compliant pool, with a rotated KMS key if `withKey`. */
  const impersonation = (scope: Construct, strategy: ImpersonationStrategy, withKey = false) =>
    new CognitoImpersonation(scope, 'Impersonation', {
      userPool: compliantPool(scope),
      strategy,
      adminGroupName: 'support-impersonators',
      encryptionKey: withKey ? new kms.Key(scope, 'Key', { enableKeyRotation: true }) : undefined,
    });

  test.each(strategies)('no errors and no warnings with the %s strategy', (_name, strategy) => {
    const { errors, warnings } = nagFindings((stack) => impersonation(stack, strategy()));
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  // A KMS key encrypts the audit log (every strategy), the signing key (customChallenge), and
  // the session table, its dead-letter queue and the schedules' payload (groups).
  test.each(strategies)('no errors with the %s strategy and a KMS key', (_name, strategy) => {
    const { errors } = nagFindings((stack) => impersonation(stack, strategy(), true));
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  // limits: the broker state table and the Contributor Insights rule.
  test.each(strategies.filter(([name]) => name !== 'preTokenGeneration'))('no errors and no warnings with the %s strategy and limits', (_name, strategy) => {
    const { errors, warnings } = nagFindings((stack) => new CognitoImpersonation(stack, 'Impersonation', {
      userPool: compliantPool(stack),
      strategy: strategy(),
      adminGroupName: 'support-impersonators',
      limits: { maxStartsPerAdminPerHour: 5, maxStartsPerTargetPerDay: 3 },
    }));
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  // The operations tools: events (a function, a queue, a subscription), a dashboard, named alarms.
  test.each(strategies.flatMap(([name]) => [[name, false], [name, true]] as const))(
    'no errors and no warnings with the %s strategy and every operations tool (KMS key: %s)', (name, withKey) => {
      const strategy = strategies.find(([n]) => n === name)![1];
      const { errors, warnings } = nagFindings((stack) => {
        const construct = new CognitoImpersonation(stack, 'Impersonation', {
          userPool: compliantPool(stack),
          strategy: strategy(),
          adminGroupName: 'support-impersonators',
          encryptionKey: withKey ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined,
          publishEvents: true,
          alarmNamePrefix: 'Support-Impersonation',
        });
        construct.addDashboard();
      });
      expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
      expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    });

  test('groups: the construct\'s own suppressions cover exactly the schedule-group wildcards and the dead-letter queue, nothing else', () => {
    const { errors } = nagFindings((stack) => {
      const construct = impersonation(stack, ImpersonationStrategy.groups());
      // Without them, cdk-nag reports these findings and no other.
      for (const node of construct.node.findAll()) {
        if (CfnResource.isCfnResource(node) && node.getMetadata('cdk_nag')) {
          const { cdk_nag: _, ...rest } = node.cfnOptions.metadata ?? {};
          node.cfnOptions.metadata = rest;
        }
      }
    });
    const findings = errors.map((e) => `${e.id.split('/').slice(-4).join('/')}: ${String(e.entry.data).split('\n')[0]}`).sort();
    const schedules = 'AwsSolutions-IAM5\\[Resource::arn:<AWS::Partition>:scheduler:eu-west-1:123456789012:schedule\\/<ImpersonationSessionScheduleGroup\\w+>\\/\\*\\]';
    expect(findings).toEqual([
      expect.stringMatching(new RegExp(`^Impersonation/Broker/SchedulesPolicy/Resource: ${schedules}`)),
      expect.stringMatching(new RegExp(`^Impersonation/EndAllSessions/SchedulesPolicy/Resource: ${schedules}`)),
      expect.stringMatching(new RegExp(`^Impersonation/EndSession/SchedulesPolicy/Resource: ${schedules}`)),
      expect.stringMatching(/^Impersonation\/Sessions\/DeadLetterQueue\/Resource: AwsSolutions-SQS3/),
      expect.stringMatching(new RegExp(`^Impersonation/Sweeper/SchedulesPolicy/Resource: ${schedules}`)),
    ]);
  });
});
