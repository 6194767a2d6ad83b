import * as fs from 'fs';
import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import { NagSuppressions } from 'cdk-nag';
import { grants, logicalId, nagFindings, stackWith, statementsOf } from './helpers';
import { CognitoImpersonation, ImpersonationApproval, ImpersonationStrategy } from '../src';
import { ENV } from '../src/private/contract';

/** Four-eyes approval (issue 14, items 1 and 5): what the construct sets up for it. */

const BROKER_STRATEGIES: Array<[string, () => ImpersonationStrategy]> = [
  ['customChallenge', () => ImpersonationStrategy.customChallenge()],
  ['groups', () => ImpersonationStrategy.groups()],
];
const approval = (options: Partial<Parameters<typeof ImpersonationApproval.required>[0]> = {}) =>
  ImpersonationApproval.required({ approverGroupName: 'support-leads', ...options });

function withApproval(strategy: ImpersonationStrategy, options: Partial<Parameters<typeof ImpersonationApproval.required>[0]> = {}) {
  const fixture = stackWith({ strategy, approval: approval(options) });
  const functions = fixture.template.findResources('AWS::Lambda::Function');
  const brokerId = logicalId(fixture.stack, fixture.impersonation.brokerFunction!);
  const tableId = logicalId(fixture.stack, fixture.impersonation.brokerStateTable!);
  return { ...fixture, functions, brokerId, tableId, brokerEnv: functions[brokerId].Properties.Environment.Variables };
}

describe.each(BROKER_STRATEGIES)('%s with approval', (_name, strategy) => {
  test('a broker state table, with TTL and point-in-time recovery, whose name the broker gets', () => {
    const { template, impersonation, brokerEnv, tableId } = withApproval(strategy());
    expect(impersonation.brokerStateTable).toBeDefined();
    template.resourceCountIs('AWS::DynamoDB::Table', _name === 'groups' ? 2 : 1);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
    expect(brokerEnv[ENV.BROKER_STATE_TABLE]).toEqual({ Ref: tableId });
  });

  test('the broker may PutItem, GetItem, UpdateItem and Scan on the state table, and nothing more on it', () => {
    const { template, brokerId, tableId, stack, impersonation } = withApproval(strategy());
    const roleId = logicalId(stack, impersonation.brokerFunction!.role!);
    const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
    const onTable = statementsOf(template, roleId).filter((st) => JSON.stringify(st.Resource).includes(tableId));
    // One statement, on the table's ARN alone, with exactly the actions the approval store calls.
    expect(onTable).toHaveLength(1);
    expect(onTable[0].Effect).toBe('Allow');
    expect([onTable[0].Resource].flat()).toEqual([tableArn]);
    expect([onTable[0].Action].flat().sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
    expect(grants(template, roleId)['dynamodb:DeleteItem'] ?? []).not.toContainEqual(tableArn);
    // No other function reaches the table.
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.PolicyDocument).includes(tableId));
    expect(policies.every((p: any) => p.Properties.Roles.every((r: any) => r.Ref === roleId))).toBe(true);
    expect(brokerId).toBeDefined();
  });

  test('the broker, and only the broker, gets the approval configuration', () => {
    const { functions, brokerId, brokerEnv } = withApproval(strategy(), {
      timeout: Duration.hours(2), completionWindow: Duration.minutes(5), targetGroups: ['enterprise-plan', 'enterprise-plan', 'vip'],
    });
    expect(brokerEnv).toMatchObject({
      [ENV.APPROVER_GROUP]: 'support-leads',
      [ENV.APPROVAL_TIMEOUT_SECONDS]: '7200',
      [ENV.APPROVAL_WINDOW_SECONDS]: '300',
      [ENV.APPROVAL_TARGET_GROUPS]: JSON.stringify(['enterprise-plan', 'vip']),
    });
    for (const [id, fn] of Object.entries<any>(functions)) {
      if (id === brokerId) continue;
      for (const name of [ENV.APPROVER_GROUP, ENV.APPROVAL_TIMEOUT_SECONDS, ENV.APPROVAL_WINDOW_SECONDS, ENV.APPROVAL_TARGET_GROUPS]) {
        expect(fn.Properties.Environment?.Variables?.[name]).toBeUndefined();
      }
    }
  });

  test('defaults: 30 minutes to decide, 10 to complete, every target', () => {
    const { brokerEnv } = withApproval(strategy());
    expect(brokerEnv[ENV.APPROVAL_TIMEOUT_SECONDS]).toBe('1800');
    expect(brokerEnv[ENV.APPROVAL_WINDOW_SECONDS]).toBe('600');
    expect(brokerEnv[ENV.APPROVAL_TARGET_GROUPS]).toBeUndefined();
  });

  test('the approver group is protected in every function: nobody impersonates an approver or borrows the group', () => {
    const { functions } = withApproval(strategy());
    const withProtected = Object.values<any>(functions).filter((fn) => fn.Properties.Environment?.Variables?.[ENV.PROTECTED_GROUPS]);
    expect(withProtected.length).toBeGreaterThan(0);
    for (const fn of withProtected) {
      expect(JSON.parse(fn.Properties.Environment.Variables[ENV.PROTECTED_GROUPS])).toEqual(['support-impersonators', 'support-leads']);
    }
  });
});

test('with approval, a saved query lists every event naming an approval; its fields are documented', () => {
  const { template } = withApproval(ImpersonationStrategy.groups());
  const defs = Object.values<any>(template.findResources('AWS::Logs::QueryDefinition')).map((d) => d.Properties);
  const query = defs.find((d) => d.Name.endsWith('/Approvals (four-eyes)'));
  expect(query.QueryString).toContain('filter ispresent(message.approvalId)');
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'audit-events.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `([a-zA-Z.]+)`(?:, `([a-zA-Z.]+)`)?/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean));
  const read = [...(query.QueryString as string).matchAll(/message\.([a-zA-Z.]+)/g)].map((m) => m[1]);
  expect(read.length).toBeGreaterThan(8);
  for (const field of read) expect([field, field.split('.')[0]].some((x) => documented.has(x))).toBe(true);
});

describe('without approval', () => {
  test.each(BROKER_STRATEGIES)('%s: no state table, no approval configuration', (_name, strategy) => {
    const { template, impersonation } = stackWith({ strategy: strategy() });
    expect(impersonation.brokerStateTable).toBeUndefined();
    const queries = Object.values<any>(template.findResources('AWS::Logs::QueryDefinition')).map((d) => d.Properties.Name);
    expect(queries.some((n: string) => n.includes('Approvals'))).toBe(false);
    const tables = Object.values<any>(template.findResources('AWS::DynamoDB::Table'));
    expect(tables.filter((t) => t.Properties.TimeToLiveSpecification?.AttributeName === 'ttl')).toEqual([]);
    for (const fn of Object.values<any>(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment?.Variables?.[ENV.APPROVER_GROUP]).toBeUndefined();
      expect(fn.Properties.Environment?.Variables?.[ENV.BROKER_STATE_TABLE]).toBeUndefined();
    }
  });
});

describe('validation', () => {
  test('preTokenGeneration has no broker: approval is an error', () => {
    expect(() => stackWith({ strategy: ImpersonationStrategy.preTokenGeneration(), approval: approval() }))
      .toThrow('CognitoImpersonation: approval needs a strategy with a broker (customChallenge, groups), not preTokenGeneration');
  });

  test.each([
    [{ approverGroupName: 'support leads' }, /approverGroupName 'support leads' is not a valid Cognito group name/],
    [{ approverGroupName: '' }, /approverGroupName '' is not a valid Cognito group name/],
    [{ approverGroupName: 'x'.repeat(129) }, /approverGroupName 'x+' is not a valid Cognito group name/],
    [{ targetGroups: ['vip', 'a\u0000b'] }, /targetGroups 'a\u0000b' is not a valid Cognito group name/],
    [{ targetGroups: [] }, /targetGroups is empty/],
    [{ timeout: Duration.seconds(30) }, 'ImpersonationApproval: timeout must be whole minutes from 1 minute to 24 hours, got 30 seconds'],
    [{ timeout: Duration.minutes(1441) }, 'ImpersonationApproval: timeout must be whole minutes from 1 minute to 24 hours, got 1 day 1 minute'],
    [{ completionWindow: Duration.seconds(90) }, 'ImpersonationApproval: completionWindow must be whole minutes from 1 to 60 minutes, got 1 minute 30 seconds'],
    [{ completionWindow: Duration.minutes(61) }, 'ImpersonationApproval: completionWindow must be whole minutes from 1 to 60 minutes, got 1 hour 1 minute'],
  ])('%j is refused', (options, error) => {
    expect(() => approval(options)).toThrow(error);
  });

  test.each([
    [{ timeout: Duration.minutes(1), completionWindow: Duration.minutes(1) }],
    [{ timeout: Duration.hours(24), completionWindow: Duration.minutes(60) }],
    [{ approverGroupName: Token.asString({ Ref: 'ApproverGroup' }) }],
  ])('%j, at the edges or a token, is accepted', (options) => {
    expect(() => approval(options)).not.toThrow();
  });
});

test('too many target groups for the broker\'s 4 KB environment fail the synth, naming targetGroups', () => {
  const targetGroups = Array.from({ length: 40 }, (_, i) => `enterprise-customers-of-region-${String(i).padStart(3, '0')}-${'x'.repeat(60)}`);
  expect(() => withApproval(ImpersonationStrategy.groups(), { targetGroups }))
    .toThrow(/Most of it is IMPERSONATION_APPROVAL_TARGET_GROUPS \(\d+ bytes\): the names in approval's targetGroups/);
});

describe('cdk-nag AwsSolutions', () => {
  test.each([...BROKER_STRATEGIES.map(([n, s]) => [n, s, false] as const), ...BROKER_STRATEGIES.map(([n, s]) => [`${n} with a KMS key`, s, true] as const)])(
    '%s with approval: no errors, no warnings', (_name, strategy, withKey) => {
      const { errors, warnings } = nagFindings((stack) => {
        const pool = new cognito.UserPool(stack, 'UserPool', {
          mfa: cognito.Mfa.REQUIRED,
          mfaSecondFactor: { otp: true, sms: false },
          passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireSymbols: true, requireUppercase: true },
        });
        NagSuppressions.addResourceSuppressions(pool, [{ id: 'AwsSolutions-COG3', reason: 'Test fixture: the pool owner\'s choice (Plus plan).' }]);
        new CognitoImpersonation(stack, 'Impersonation', {
          userPool: pool,
          strategy: strategy(),
          adminGroupName: 'support-impersonators',
          approval: approval(),
          encryptionKey: withKey ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined,
        });
      });
      expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
      expect(warnings.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
    });
});
