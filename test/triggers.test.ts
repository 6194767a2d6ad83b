import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { assertAcyclic, childAt, logicalId, nagFindings, statementsOf, testStack } from './helpers';
import { CognitoImpersonation, CognitoImpersonationProps, ImpersonationStrategy } from '../src';
import { TriggerWiring, isOwnedUserPool } from '../src/triggers';

const POOL_ID = 'eu-west-1_AbCdEf123';
const POOL_ARN = `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${POOL_ID}`;
/** How CDK spells the ARN of a pool imported by id into a stack with a fixed account and region. */
const POOL_ARN_BY_ID = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cognito-idp:eu-west-1:123456789012:userpool/${POOL_ID}`]] };

type Import = (scope: Construct) => cognito.IUserPool;
const byId: Import = (scope) => cognito.UserPool.fromUserPoolId(scope, 'ImportedPool', POOL_ID);
const byArn: Import = (scope) => cognito.UserPool.fromUserPoolArn(scope, 'ImportedPool', POOL_ARN);

function build(importPool: Import, props: Partial<CognitoImpersonationProps> = {}) {
  const stack = testStack();
  const userPool = importPool(stack);
  const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
    userPool,
    strategy: ImpersonationStrategy.customChallenge(),
    adminGroupName: 'support-impersonators',
    ...props,
  });
  const attachment = impersonation.node.findChild('TriggerAttachment');
  const attachFunction = childAt(attachment, 'AttachTriggers/Function') as lambda.Function;
  const template = Template.fromStack(stack);
  const id = (path: string) => logicalId(stack, childAt(impersonation, path));
  return { stack, impersonation, attachment, attachFunction, template, id };
}

describe.each([
  ['UserPool.fromUserPoolId', byId, POOL_ARN_BY_ID],
  ['UserPool.fromUserPoolArn', byArn, POOL_ARN],
])('an imported pool (%s)', (_name, importPool, poolArn) => {
  test('one custom resource attaches every trigger the strategy needs', () => {
    const { template, id } = build(importPool);
    template.resourceCountIs('Custom::CognitoImpersonationTriggers', 1);
    const [resource] = Object.values(template.findResources('Custom::CognitoImpersonationTriggers')) as any[];
    const arn = (fn: string) => ({ 'Fn::GetAtt': [id(`${fn}/Function`), 'Arn'] });
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^ImpersonationTriggerAttachmentAttachTriggersFunction/), 'Arn'] },
      UserPoolId: POOL_ID,
      UserPoolArn: poolArn,
      ReplaceExistingTriggers: 'false',
      Triggers: [
        { Slot: 'DefineAuthChallenge', LambdaArn: arn('DefineAuthChallenge') },
        { Slot: 'CreateAuthChallenge', LambdaArn: arn('CreateAuthChallenge') },
        { Slot: 'VerifyAuthChallengeResponse', LambdaArn: arn('VerifyAuthChallenge') },
        { Slot: 'PreTokenGeneration', LambdaArn: arn('PreTokenGeneration'), LambdaVersion: 'V2_0' },
      ],
    });
    // Nothing in the template tries to change the pool itself.
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  test('Cognito may invoke each trigger, from this pool and account only', () => {
    const { template, id } = build(importPool);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as any[];
    const fromCognito = permissions.filter((p) => p.Properties.Principal === 'cognito-idp.amazonaws.com');
    expect(fromCognito.map((p) => p.Properties).sort((a, b) => a.FunctionName['Fn::GetAtt'][0].localeCompare(b.FunctionName['Fn::GetAtt'][0])))
      .toEqual(['CreateAuthChallenge', 'DefineAuthChallenge', 'PreTokenGeneration', 'VerifyAuthChallenge'].map((fn) => ({
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [id(`${fn}/Function`), 'Arn'] },
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: poolArn,
        SourceAccount: '123456789012',
      })));
  });

  test('the attaching function may describe and update this pool, write its logs and its dead letters, and nothing else', () => {
    const { stack, template, attachFunction, impersonation } = build(importPool);
    const statements = statementsOf(template, logicalId(stack, attachFunction.role));
    expect(statements).toEqual(expect.arrayContaining([{
      Effect: 'Allow',
      Action: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool'],
      Resource: poolArn,
    }]));
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'cognito-idp:DescribeUserPool',
      'cognito-idp:UpdateUserPool',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
    ]);
    // CloudFormation invokes custom resources asynchronously: failed events go to its own queue.
    const deadLetters = statements.find((s) => [s.Action].flat().includes('sqs:SendMessage'));
    const queue = attachFunction.node.scope!.node.findChild('DeadLetterQueue');
    expect(deadLetters.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, queue), 'Arn'] });
    expect(template.toJSON().Resources[logicalId(stack, attachFunction)].Properties.DeadLetterConfig)
      .toEqual({ TargetArn: { 'Fn::GetAtt': [logicalId(stack, queue), 'Arn'] } });
    const logs = statements.find((s) => [s.Action].flat().includes('logs:PutLogEvents'));
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, impersonation.auditLogGroup), 'Arn'] });
    const role = template.toJSON().Resources[logicalId(stack, attachFunction.role)];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  test('the custom resource runs only once its policy and the invoke permissions exist', () => {
    const { template, stack, attachment } = build(importPool);
    const resource = template.toJSON().Resources[logicalId(stack, attachment.node.findChild('Resource'))];
    const policy = logicalId(stack, childAt(attachment, 'AttachTriggers/Policy'));
    const permissions = Object.keys(template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'cognito-idp.amazonaws.com' } }));
    expect([...resource.DependsOn].sort()).toEqual([policy, ...permissions].sort());
  });

  test('the function: Node.js 22 on arm64, 60 seconds, JSON logs into the audit log group, watched by alarms', () => {
    const { template, stack, attachFunction, impersonation } = build(importPool);
    const fn = template.toJSON().Resources[logicalId(stack, attachFunction)];
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalId(stack, impersonation.auditLogGroup) } },
    });
    expect(impersonation.functions).toContain(attachFunction);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: 'Impersonation: the AttachTriggers function failed (errors other than refused impersonations).',
    });
  });

  test('the template has no circular reference', () => {
    expect(() => assertAcyclic(build(importPool).template.toJSON() as any)).not.toThrow();
  });
});

describe('options of an imported pool', () => {
  test('replaceExistingTriggers is passed to the handler', () => {
    const { template } = build(byId, { replaceExistingTriggers: true });
    template.hasResourceProperties('Custom::CognitoImpersonationTriggers', { ReplaceExistingTriggers: 'true' });
  });

  test('userPoolSmsRole: the function may pass exactly that role, and only to Cognito', () => {
    const smsRoleArn = 'arn:aws:iam::123456789012:role/service-role/app-cognito-sms';
    const { stack, template, attachFunction } = build(byId);
    expect(statementsOf(template, logicalId(stack, attachFunction.role)).flatMap((s) => [s.Action].flat())).not.toContain('iam:PassRole');

    const withRole = testStack();
    const impersonation = new CognitoImpersonation(withRole, 'Impersonation', {
      userPool: byId(withRole),
      strategy: ImpersonationStrategy.preTokenGeneration(),
      adminGroupName: 'support-impersonators',
      userPoolSmsRole: iam.Role.fromRoleArn(withRole, 'SmsRole', smsRoleArn),
    });
    const fn = childAt(impersonation, 'TriggerAttachment/AttachTriggers/Function') as lambda.Function;
    const statements = statementsOf(Template.fromStack(withRole), logicalId(withRole, fn.role));
    expect(statements.filter((s) => [s.Action].flat().includes('iam:PassRole'))).toEqual([{
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: smsRoleArn,
      Condition: { StringEquals: { 'iam:PassedToService': 'cognito-idp.amazonaws.com' } },
    }]);
  });

  test('the preTokenGeneration strategy attaches its one trigger, with its version', () => {
    const stack = testStack();
    const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
      userPool: byId(stack),
      strategy: ImpersonationStrategy.preTokenGeneration({ lambdaVersion: cognito.LambdaVersion.V1_0 }),
      adminGroupName: 'support-impersonators',
    });
    Template.fromStack(stack).hasResourceProperties('Custom::CognitoImpersonationTriggers', {
      Triggers: [{
        Slot: 'PreTokenGeneration',
        LambdaArn: { 'Fn::GetAtt': [logicalId(stack, impersonation.preTokenGenerationFunction), 'Arn'] },
        LambdaVersion: 'V1_0',
      }],
    });
  });

  test('snapshot (fromUserPoolId, customChallenge, replaceExistingTriggers, SMS role)', () => {
    const stack = testStack();
    new CognitoImpersonation(stack, 'Impersonation', {
      userPool: byId(stack),
      strategy: ImpersonationStrategy.customChallenge(),
      adminGroupName: 'support-impersonators',
      replaceExistingTriggers: true,
      userPoolSmsRole: iam.Role.fromRoleArn(stack, 'SmsRole', 'arn:aws:iam::123456789012:role/service-role/app-cognito-sms'),
    });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});

describe('TriggerWiring', () => {
  function wiring(userPool: (scope: Construct) => cognito.IUserPool, options: { replace?: boolean; smsRole?: boolean } = {}) {
    const stack = testStack();
    const pool = userPool(stack);
    const created: string[] = [];
    const wire = new TriggerWiring(stack, {
      userPool: pool,
      replaceExistingTriggers: options.replace ?? false,
      userPoolSmsRole: options.smsRole ? iam.Role.fromRoleArn(stack, 'SmsRole', 'arn:aws:iam::123456789012:role/sms') : undefined,
      strategyName: 'customChallenge',
      addFunction: (scope, id) => {
        created.push(id);
        // As the construct does: the function in a scope of its own.
        return new lambda.Function(new Construct(scope, id), 'Function', {
          runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
        });
      },
    });
    const fn = (id: string) => new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    return { stack, wire, fn, created, template: () => Template.fromStack(stack) };
  }

  test('no trigger, no custom resource and no function', () => {
    const { template, created } = wiring(byId);
    template().resourceCountIs('Custom::CognitoImpersonationTriggers', 0);
    template().resourceCountIs('AWS::Lambda::Function', 0);
    expect(created).toEqual([]);
  });

  test('triggers attached after the custom resource was created are included: one resource, one function', () => {
    const { stack, wire, fn, created, template } = wiring(byId);
    const first = fn('First');
    const second = fn('Second');
    wire.attach(cognito.UserPoolOperation.PRE_SIGN_UP, first);
    wire.attach(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, second, cognito.LambdaVersion.V2_0);
    wire.attach(cognito.UserPoolOperation.POST_CONFIRMATION, first);
    expect(created).toEqual(['AttachTriggers']);
    template().resourceCountIs('Custom::CognitoImpersonationTriggers', 1);
    template().hasResourceProperties('Custom::CognitoImpersonationTriggers', {
      Triggers: [
        { Slot: 'PreSignUp', LambdaArn: { 'Fn::GetAtt': [logicalId(stack, first), 'Arn'] } },
        { Slot: 'PreTokenGeneration', LambdaArn: { 'Fn::GetAtt': [logicalId(stack, second), 'Arn'] }, LambdaVersion: 'V2_0' },
        { Slot: 'PostConfirmation', LambdaArn: { 'Fn::GetAtt': [logicalId(stack, first), 'Arn'] } },
      ],
    });
    // One permission per function, not per slot.
    template().resourceCountIs('AWS::Lambda::Permission', 2);
  });

  test('Pre Token Generation without a version is V1_0, like UserPool.addTrigger', () => {
    const { stack, wire, fn, template } = wiring(byArn);
    const f = fn('F');
    wire.attach(cognito.UserPoolOperation.PRE_TOKEN_GENERATION, f);
    template().hasResourceProperties('Custom::CognitoImpersonationTriggers', {
      Triggers: [{ Slot: 'PreTokenGeneration', LambdaArn: { 'Fn::GetAtt': [logicalId(stack, f), 'Arn'] }, LambdaVersion: 'V1_0' }],
    });
  });

  test('refuses what UserPool.addTrigger refuses, and what only an owned pool can take', () => {
    const { wire, fn } = wiring(byId);
    const f = fn('F');
    wire.attach(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, f, cognito.LambdaVersion.V2_0);
    expect(() => wire.attach(cognito.UserPoolOperation.PRE_TOKEN_GENERATION, f))
      .toThrow('A trigger for the operation preTokenGeneration already exists.');
    expect(() => wire.attach(cognito.UserPoolOperation.DEFINE_AUTH_CHALLENGE, f, cognito.LambdaVersion.V2_0))
      .toThrow('Only the `PRE_TOKEN_GENERATION_CONFIG` operation supports V2_0 lambda version.');
    expect(() => wire.attach(cognito.UserPoolOperation.CUSTOM_EMAIL_SENDER, f))
      .toThrow('the customEmailSender trigger cannot be attached to an imported user pool');
    expect(() => wire.attach(cognito.UserPoolOperation.of('somethingNew'), f))
      .toThrow('the somethingNew trigger cannot be attached to an imported user pool');
  });

  test('an owned pool gets addTrigger, exactly as before: no custom resource, no function', () => {
    const { stack, wire, fn, created, template } = wiring((scope) => new cognito.UserPool(scope, 'Pool'));
    const f = fn('F');
    wire.attach(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, f, cognito.LambdaVersion.V2_0);
    expect(created).toEqual([]);
    template().resourceCountIs('Custom::CognitoImpersonationTriggers', 0);
    template().hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [logicalId(stack, f), 'Arn'] }, LambdaVersion: 'V2_0' } },
    });
  });

  test('options that only apply to imported pools are reported as having no effect on an owned one', () => {
    const { stack } = wiring((scope) => new cognito.UserPool(scope, 'Pool'), { replace: true });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('replaceExistingTriggers and userPoolSmsRole only apply to imported user pools'));
    const { stack: quiet } = wiring(byId, { replace: true, smsRole: true });
    expect(Annotations.fromStack(quiet).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('owned or imported is duck-typed', () => {
    const stack = new Stack();
    expect(isOwnedUserPool(new cognito.UserPool(stack, 'Pool'))).toBe(true);
    expect(isOwnedUserPool(byId(stack))).toBe(false);
  });
});

describe('an owned pool behaves as before', () => {
  test('customChallenge: triggers in the pool\'s LambdaConfig, no custom resource, no attaching function', () => {
    const stack = testStack();
    const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
      userPool: new cognito.UserPool(stack, 'UserPool'),
      strategy: ImpersonationStrategy.customChallenge(),
      adminGroupName: 'support-impersonators',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::CognitoImpersonationTriggers', 0);
    expect(impersonation.node.tryFindChild('TriggerAttachment')).toBeUndefined();
    const fn = (id: string) => ({ 'Fn::GetAtt': [logicalId(stack, childAt(impersonation, `${id}/Function`)), 'Arn'] });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        DefineAuthChallenge: fn('DefineAuthChallenge'),
        CreateAuthChallenge: fn('CreateAuthChallenge'),
        VerifyAuthChallengeResponse: fn('VerifyAuthChallenge'),
        PreTokenGenerationConfig: { LambdaArn: fn('PreTokenGeneration'), LambdaVersion: 'V2_0' },
      },
    });
  });
});

describe('cdk-nag AwsSolutions on an imported pool', () => {
  test.each([
    ['customChallenge', () => ImpersonationStrategy.customChallenge()],
    ['preTokenGeneration', () => ImpersonationStrategy.preTokenGeneration()],
  ])('%s: no errors and no warnings', (_name, strategy) => {
    const { stack, errors, warnings } = nagFindings((s) => {
      new CognitoImpersonation(s, 'Impersonation', {
        userPool: byId(s),
        strategy: strategy(),
        adminGroupName: 'support-impersonators',
        userPoolSmsRole: iam.Role.fromRoleArn(s, 'SmsRole', 'arn:aws:iam::123456789012:role/service-role/app-cognito-sms'),
      });
    });
    // The checks did run: the stack has the functions they look at.
    expect(Template.fromStack(stack).findResources('AWS::Lambda::Function')).not.toEqual({});
    expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  });
});
