import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { CognitoImpersonation, ImpersonationStrategy } from '../src';

function nagFindings(configure: (stack: Stack) => void) {
  const app = new App();
  const stack = new Stack(app, 'NagStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  configure(stack);
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  const annotations = Annotations.fromStack(stack);
  return {
    errors: annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    warnings: annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  };
}

/** A pool that passes AwsSolutions itself, so that every finding left is the construct's. */
function compliantPool(stack: Stack) {
  const pool = new cognito.UserPool(stack, 'UserPool', {
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

  test('no errors and no warnings with the preTokenGeneration strategy', () => {
    const { errors, warnings } = nagFindings((stack) => {
      new CognitoImpersonation(stack, 'Impersonation', {
        userPool: compliantPool(stack),
        strategy: ImpersonationStrategy.preTokenGeneration(),
        adminGroupName: 'support-impersonators',
      });
    });
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  test('no errors and no warnings with the customChallenge strategy', () => {
    const { errors, warnings } = nagFindings((stack) => {
      new CognitoImpersonation(stack, 'Impersonation', {
        userPool: compliantPool(stack),
        strategy: ImpersonationStrategy.customChallenge(),
        adminGroupName: 'support-impersonators',
      });
    });
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  test('no errors with the customChallenge strategy and a KMS key', () => {
    const { errors } = nagFindings((stack) => {
      new CognitoImpersonation(stack, 'Impersonation', {
        userPool: compliantPool(stack),
        strategy: ImpersonationStrategy.customChallenge(),
        adminGroupName: 'support-impersonators',
        encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      });
    });
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  test('no errors and no warnings with the groups strategy', () => {
    const { errors, warnings } = nagFindings((stack) => {
      new CognitoImpersonation(stack, 'Impersonation', {
        userPool: compliantPool(stack),
        strategy: ImpersonationStrategy.groups(),
        adminGroupName: 'support-impersonators',
      });
    });
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });

  test('groups: the construct\'s own suppressions cover exactly the two scheduler wildcards, nothing else', () => {
    const { errors } = nagFindings((stack) => {
      const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
        userPool: compliantPool(stack),
        strategy: ImpersonationStrategy.groups(),
        adminGroupName: 'support-impersonators',
      });
      // Without them, cdk-nag reports these findings and no other.
      for (const node of impersonation.node.findAll()) {
        if (CfnResource.isCfnResource(node) && node.getMetadata('cdk_nag')) {
          const { cdk_nag: _, ...rest } = node.cfnOptions.metadata ?? {};
          node.cfnOptions.metadata = rest;
        }
      }
    });
    const findings = errors.map((e) => `${e.id.split('/').slice(-4).join('/')}: ${String(e.entry.data).split('\n')[0]}`).sort();
    expect(findings).toEqual([
      expect.stringMatching(/^Impersonation\/Broker\/SchedulerPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/),
      expect.stringMatching(/^Impersonation\/Broker\/SchedulerPolicy\/Resource: AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:scheduler:eu-west-1:123456789012:schedule\/<ImpersonationSessionScheduleGroup\w+>\/\*\]/),
      expect.stringMatching(/^Impersonation\/EndSession\/Policy\/Resource: AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:scheduler:eu-west-1:123456789012:schedule\/<ImpersonationSessionScheduleGroup\w+>\/\*\]/),
    ]);
  });

  test('no errors with a KMS-encrypted audit log', () => {
    const { errors } = nagFindings((stack) => {
      new CognitoImpersonation(stack, 'Impersonation', {
        userPool: compliantPool(stack),
        strategy: ImpersonationStrategy.preTokenGeneration(),
        adminGroupName: 'support-impersonators',
        encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      });
    });
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });
});
