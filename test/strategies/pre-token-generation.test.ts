import { Template } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CognitoImpersonation, ImpersonationStrategy } from '../../src';
import { logicalId, stackWith, statementsOf, testStack } from '../helpers';

const preToken = () => ImpersonationStrategy.preTokenGeneration();

describe('CognitoImpersonation with the preTokenGeneration strategy', () => {
  test('snapshot (defaults)', () => {
    expect(stackWith({ strategy: preToken() }).template.toJSON()).toMatchSnapshot();
  });

  test('snapshot (V1, claim name, KMS key, protected groups, alarm actions)', () => {
    const { template } = stackWith((stack) => ({
      strategy: ImpersonationStrategy.preTokenGeneration({ lambdaVersion: cognito.LambdaVersion.V1_0, claimName: 'acting_as' }),
      protectedGroupNames: ['finance-admins'],
      encryptionKey: new kms.Key(stack, 'AuditKey', { enableKeyRotation: true }),
      alarmActions: [new actions.SnsAction(new sns.Topic(stack, 'Alarms'))],
    }));
    expect(template.toJSON()).toMatchSnapshot();
  });

  describe('trigger wiring', () => {
    test('V2_0 by default, pointing at the construct\'s function', () => {
      const { stack, impersonation, template } = stackWith({ strategy: preToken() });
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        LambdaConfig: {
          PreTokenGenerationConfig: {
            LambdaArn: { 'Fn::GetAtt': [logicalId(stack, impersonation.preTokenGenerationFunction), 'Arn'] },
            LambdaVersion: 'V2_0',
          },
        },
      });
    });

    test('V1_0 when asked for Lite pools', () => {
      const { template } = stackWith({
        strategy: ImpersonationStrategy.preTokenGeneration({ lambdaVersion: cognito.LambdaVersion.V1_0 }),
      });
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V1_0' } },
      });
    });

    test('Cognito may invoke the function, from this pool only', () => {
      const { stack, userPool, impersonation, template } = stackWith({ strategy: preToken() });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [logicalId(stack, impersonation.preTokenGenerationFunction), 'Arn'] },
        SourceArn: { 'Fn::GetAtt': [logicalId(stack, userPool), 'Arn'] },
      });
    });

    test('an imported pool gets the trigger through one custom resource (see test/triggers.test.ts)', () => {
      const stack = testStack('S');
      const userPool = cognito.UserPool.fromUserPoolId(stack, 'Imported', 'eu-west-1_abcdefghi');
      const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
        userPool, strategy: preToken(), adminGroupName: 'admins',
      });
      const template = Template.fromStack(stack);
      template.resourceCountIs('Custom::CognitoImpersonationTriggers', 1);
      template.hasResourceProperties('Custom::CognitoImpersonationTriggers', {
        UserPoolId: 'eu-west-1_abcdefghi',
        Triggers: [{
          Slot: 'PreTokenGeneration',
          LambdaArn: { 'Fn::GetAtt': [logicalId(stack, impersonation.preTokenGenerationFunction), 'Arn'] },
          LambdaVersion: 'V2_0',
        }],
      });
    });
  });

  test('the trigger role allows exactly the Cognito reads it makes, on this pool, and writing its logs', () => {
    const { stack, userPool, impersonation, template } = stackWith({ strategy: preToken() });
    const t = template;
    const fn = impersonation.preTokenGenerationFunction!;
    const roleId = logicalId(stack, fn.role);
    const statements = statementsOf(t, roleId);

    expect(statements).toEqual(expect.arrayContaining([{
      Effect: 'Allow',
      Action: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser'],
      Resource: { 'Fn::GetAtt': [logicalId(stack, userPool), 'Arn'] },
    }]));
    const allowed = statements.flatMap((s: any) => [s.Action].flat());
    expect(allowed.sort()).toEqual([
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminListGroupsForUser',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    // Logs only into the audit log group.
    const logStatement = statements.find((s: any) => [s.Action].flat().includes('logs:PutLogEvents'));
    expect(logStatement.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, impersonation.auditLogGroup), 'Arn'] });
  });

  test.each(['sub', 'iss', 'exp', 'token_use', 'cognito:groups', 'act', '1abc', 'has space', ''])(
    'claim name %j is refused', (claimName) => {
      expect(() => ImpersonationStrategy.preTokenGeneration({ claimName })).toThrow(/claimName .* is invalid/);
    });

  test('V3_0 is refused: M2M tokens have no user to impersonate', () => {
    expect(() => ImpersonationStrategy.preTokenGeneration({ lambdaVersion: 'V3_0' as cognito.LambdaVersion }))
      .toThrow(/lambdaVersion must be V1_0 or V2_0/);
  });
});
