import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ResourceNotFoundException,
  UpdateUserPoolCommand,
  UpdateUserPoolRequest$,
  type UpdateUserPoolRequest,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { KMS_KEY, OURS, POOL_ARN, POOL_ID, SMS_ROLE, THEIRS, describedPool, existingTriggers } from './fixtures/user-pool';
import { READ_ONLY_FIELDS } from '../../lambda-src/attach-triggers/user-pool-update';
import { makeHandler } from '../../lambda-src/attach-triggers.lambda';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const UPDATE_PARAMETERS = new Set((UpdateUserPoolRequest$ as unknown as unknown[])[4] as string[]);

/**
 * A user pool that behaves like Cognito: DescribeUserPool returns its state, and
 * UpdateUserPool replaces every writable setting with what it is given (what it is not
 * given is gone), refusing parameters it does not take.
 */
class FakeCognito {
  public readonly pools = new Map<string, UserPoolType>();
  public readonly updates: UpdateUserPoolRequest[] = [];
  /** Apply the next update, then fail as if its answer never arrived. */
  public loseNextAnswer = false;

  constructor(...pools: UserPoolType[]) {
    for (const pool of pools) this.pools.set(pool.Id!, structuredClone(pool));
    cognitoMock.on(DescribeUserPoolCommand).callsFake(({ UserPoolId }) => {
      const pool = this.pools.get(UserPoolId);
      if (!pool) throw new ResourceNotFoundException({ message: `User pool ${UserPoolId} does not exist.`, $metadata: {} });
      return { UserPool: structuredClone(pool) };
    });
    cognitoMock.on(UpdateUserPoolCommand).callsFake((input: UpdateUserPoolRequest) => {
      const current = this.pools.get(input.UserPoolId!);
      if (!current) throw new ResourceNotFoundException({ message: 'no such pool', $metadata: {} });
      const unknown = Object.keys(input).filter((key) => !UPDATE_PARAMETERS.has(key));
      if (unknown.length > 0) throw Object.assign(new Error(`Unknown parameters: ${unknown}`), { name: 'SerializationException' });
      const deprecated = input.AdminCreateUserConfig?.UnusedAccountValidityDays;
      if (deprecated !== undefined && input.Policies?.PasswordPolicy?.TemporaryPasswordValidityDays !== undefined) {
        throw Object.assign(new Error('Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays'), { name: 'InvalidParameterException' });
      }
      this.updates.push(structuredClone(input));
      const { UserPoolId: _id, PoolName, ...writable } = structuredClone(input);
      const readOnly = Object.fromEntries(Object.entries(current).filter(([key]) => (READ_ONLY_FIELDS as readonly string[]).includes(key)));
      this.pools.set(input.UserPoolId!, { ...readOnly, ...writable, Name: PoolName ?? current.Name } as UserPoolType);
      if (this.loseNextAnswer) {
        this.loseNextAnswer = false;
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      }
      return {};
    });
  }

  pool(id = POOL_ID): UserPoolType {
    return structuredClone(this.pools.get(id)!);
  }
}

/** Every setting but LambdaConfig, and the deprecated duplicate the update drops. */
function settingsOf(pool: UserPoolType) {
  const { LambdaConfig: _lambdaConfig, AdminCreateUserConfig, ...rest } = pool;
  const { UnusedAccountValidityDays: _deprecated, ...adminCreateUserConfig } = AdminCreateUserConfig ?? {};
  return { ...rest, AdminCreateUserConfig: adminCreateUserConfig };
}

const CUSTOM_CHALLENGE = [
  { Slot: 'DefineAuthChallenge', LambdaArn: OURS.define },
  { Slot: 'CreateAuthChallenge', LambdaArn: OURS.create },
  { Slot: 'VerifyAuthChallengeResponse', LambdaArn: OURS.verify },
  { Slot: 'PreTokenGeneration', LambdaArn: OURS.preToken, LambdaVersion: 'V2_0' },
];
const PRE_TOKEN = [{ Slot: 'PreTokenGeneration', LambdaArn: OURS.preTokenNext, LambdaVersion: 'V2_0' }];
const CHALLENGE_CONFIG = {
  DefineAuthChallenge: OURS.define,
  CreateAuthChallenge: OURS.create,
  VerifyAuthChallengeResponse: OURS.verify,
  PreTokenGeneration: OURS.preToken,
  PreTokenGenerationConfig: { LambdaArn: OURS.preToken, LambdaVersion: 'V2_0' as const },
};
const PHYSICAL_ID = `cognito-impersonation-triggers:${POOL_ID}`;

function properties(triggers: object[], options: { replace?: boolean; poolId?: string; poolArn?: string } = {}) {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:TestStack-AttachTriggersFunction',
    UserPoolId: options.poolId ?? POOL_ID,
    UserPoolArn: options.poolArn ?? POOL_ARN,
    ReplaceExistingTriggers: String(options.replace ?? false),
    Triggers: triggers,
  };
}

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:TestStack-AttachTriggersFunction',
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x?X-Amz-Signature=SIGNATURE',
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/TestStack/1a2b3c4d',
  RequestId: 'b3a0c7d2-1f2e-4d5c-8b9a-0123456789ab',
  LogicalResourceId: 'ImpersonationTriggerAttachment',
  ResourceType: 'Custom::CognitoImpersonationTriggers',
};
const create = (props: any): CloudFormationCustomResourceEvent => ({ ...common, RequestType: 'Create', ResourceProperties: props });
const update = (props: any, old: any, physicalId = PHYSICAL_ID): CloudFormationCustomResourceEvent => ({
  ...common, RequestType: 'Update', ResourceProperties: props, OldResourceProperties: old, PhysicalResourceId: physicalId,
});
const remove = (props: any, physicalId = PHYSICAL_ID): CloudFormationCustomResourceEvent => ({
  ...common, RequestType: 'Delete', ResourceProperties: props, PhysicalResourceId: physicalId,
});

let responses: any[];
const handler = makeHandler(async (_url, body) => {
  responses.push(JSON.parse(body));
});
const context = { getRemainingTimeInMillis: () => 60_000, logStreamName: '2026/01/02/[$LATEST]0123abcd' } as Context;

async function run(event: CloudFormationCustomResourceEvent): Promise<any> {
  await handler(event, context);
  return responses[responses.length - 1];
}

let info: jest.SpyInstance;
beforeEach(() => {
  cognitoMock.reset();
  responses = [];
  info = jest.spyOn(console, 'info').mockImplementation(() => {});
  jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());
afterAll(() => cognitoMock.restore());

describe('Create', () => {
  test('attaches every trigger in one UpdateUserPool, and leaves every other setting of the pool as it was', async () => {
    const cognito = new FakeCognito(describedPool());
    const response = await run(create(properties(CUSTOM_CHALLENGE)));

    expect(response).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: PHYSICAL_ID,
      StackId: common.StackId,
      RequestId: common.RequestId,
      LogicalResourceId: common.LogicalResourceId,
      Data: { UserPoolId: POOL_ID, Slots: 'DefineAuthChallenge,CreateAuthChallenge,VerifyAuthChallengeResponse,PreTokenGeneration' },
    });
    expect(cognito.updates).toHaveLength(1);
    expect(cognito.pool().LambdaConfig).toEqual({ ...existingTriggers(), ...CHALLENGE_CONFIG });
    expect(settingsOf(cognito.pool())).toEqual(settingsOf(describedPool()));
    // The custom email sender and its KMS key stay.
    expect(cognito.pool().LambdaConfig?.KMSKeyID).toBe(KMS_KEY);
  });

  test('a slot held by another function fails, naming the slot and the function, and changes nothing', async () => {
    const pool = describedPool({ LambdaConfig: { ...existingTriggers(), PreTokenGeneration: THEIRS.preToken } });
    const cognito = new FakeCognito(pool);
    const response = await run(create(properties(CUSTOM_CHALLENGE)));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`TriggerAttachmentError: The PreTokenGeneration trigger of the user pool is held by ${THEIRS.preToken}`);
    expect(response.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(cognito.updates).toEqual([]);

    // The rollback's delete changes nothing either: none of the construct's functions is in the pool.
    expect((await run(remove(properties(CUSTOM_CHALLENGE), response.PhysicalResourceId))).Status).toBe('SUCCESS');
    expect(cognito.updates).toEqual([]);
    expect(cognito.pool()).toEqual(pool);
  });

  test('with replaceExistingTriggers, replaces the holders and records them in the physical id', async () => {
    const theirs = {
      ...existingTriggers(),
      DefineAuthChallenge: THEIRS.define,
      PreTokenGeneration: THEIRS.preToken,
      PreTokenGenerationConfig: { LambdaArn: THEIRS.preToken, LambdaVersion: 'V1_0' as const },
    };
    const cognito = new FakeCognito(describedPool({ LambdaConfig: theirs }));
    const response = await run(create(properties(CUSTOM_CHALLENGE, { replace: true })));

    expect(response.Status).toBe('SUCCESS');
    expect(response.PhysicalResourceId).toBe(`${PHYSICAL_ID};DefineAuthChallenge=${THEIRS.define};PreTokenGeneration=${THEIRS.preToken}@V1_0`);
    expect(cognito.pool().LambdaConfig).toEqual({ ...existingTriggers(), ...CHALLENGE_CONFIG });
  });

  test('the Lite plan cannot take V2_0 events: says so, and changes nothing', async () => {
    const cognito = new FakeCognito(describedPool({ UserPoolTier: 'LITE' }));
    const response = await run(create(properties(PRE_TOKEN)));
    expect(response.Reason).toContain('The user pool is on the Lite feature plan, which only supports Pre Token Generation events V1_0, not V2_0');
    expect(cognito.updates).toEqual([]);

    const v1 = await run(create(properties([{ ...PRE_TOKEN[0], LambdaVersion: 'V1_0' }])));
    expect(v1.Status).toBe('SUCCESS');
  });

  test('talks to Cognito in the pool\'s region', async () => {
    const arn = 'arn:aws:cognito-idp:us-east-2:123456789012:userpool/us-east-2_ZyXwVu987';
    new FakeCognito(describedPool({ Id: 'us-east-2_ZyXwVu987', Arn: arn }));
    await run(create(properties(PRE_TOKEN, { poolId: 'us-east-2_ZyXwVu987', poolArn: arn })));
    const client = cognitoMock.commandCalls(DescribeUserPoolCommand)[0].thisValue as CognitoIdentityProviderClient;
    expect(await client.config.region()).toBe('us-east-2');
  });

  test('refuses properties it cannot trust, before calling Cognito', async () => {
    new FakeCognito(describedPool());
    const cases: Array<[object, string]> = [
      [{ ...properties(PRE_TOKEN), UserPoolArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Other' }, 'UserPoolArn must be the ARN'],
      [{ ...properties(PRE_TOKEN), ReplaceExistingTriggers: 'yes' }, 'ReplaceExistingTriggers must be "true" or "false"'],
      [{ ...properties(PRE_TOKEN), Triggers: 'PreTokenGeneration' }, 'Triggers must be a list'],
      [properties([{ Slot: 'CustomEmailSender', LambdaArn: OURS.define }]), '\'CustomEmailSender\' is not a trigger slot'],
      [properties([...PRE_TOKEN, ...PRE_TOKEN]), 'is listed twice'],
      [properties([{ Slot: 'PreSignUp', LambdaArn: 'arn:aws:iam::123456789012:role/x' }]), 'the PreSignUp function is not a Lambda function ARN'],
      [properties([{ Slot: 'PreSignUp', LambdaArn: OURS.define, LambdaVersion: 'V2_0' }]), 'the PreSignUp trigger cannot have LambdaVersion'],
      [properties([{ Slot: 'PreTokenGeneration', LambdaArn: OURS.preToken, LambdaVersion: 'V9_0' }]), 'cannot have LambdaVersion \'V9_0\''],
    ];
    for (const [props, message] of cases) {
      const response = await run(create(props));
      expect({ message, status: response.Status, reason: response.Reason }).toEqual({ message, status: 'FAILED', reason: expect.stringContaining(message) });
    }
    expect(cognitoMock.calls()).toHaveLength(0);
  });

  test('refuses to replace more than the physical id can record, before writing', async () => {
    const long = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name.padEnd(140, 'x')}`;
    const slots = ['PreSignUp', 'CustomMessage', 'PostConfirmation', 'PreAuthentication', 'PostAuthentication', 'UserMigration'] as const;
    const cognito = new FakeCognito(describedPool({ LambdaConfig: Object.fromEntries(slots.map((slot) => [slot, long(`theirs-${slot}`)])) }));
    const response = await run(create(properties(slots.map((slot) => ({ Slot: slot, LambdaArn: long(`ours-${slot}`) })), { replace: true })));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('Too many replaced triggers to record for their restoration');
    expect(cognito.updates).toEqual([]);
  });

  test('a DescribeUserPool answer without a pool fails, and writes nothing', async () => {
    cognitoMock.on(DescribeUserPoolCommand).resolves({});
    const response = await run(create(properties(PRE_TOKEN)));
    expect(response.Reason).toContain(`DescribeUserPool returned no user pool for ${POOL_ID}`);
    expect(cognitoMock.commandCalls(UpdateUserPoolCommand)).toHaveLength(0);
  });

  test('an SDK error fails the deployment with the error\'s name and message', async () => {
    cognitoMock.on(DescribeUserPoolCommand).rejects(Object.assign(
      new Error('User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to perform: cognito-idp:DescribeUserPool'),
      { name: 'AccessDeniedException' },
    ));
    const response = await run(create(properties(PRE_TOKEN)));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe(
      'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to perform: cognito-idp:DescribeUserPool '
      + '(details in log stream 2026/01/02/[$LATEST]0123abcd)',
    );
  });

  test('a refused iam:PassRole of the pool\'s SMS role names the role and the property that grants it', async () => {
    new FakeCognito(describedPool());
    cognitoMock.on(UpdateUserPoolCommand).rejects(Object.assign(
      new Error(`User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to perform: iam:PassRole on resource: ${SMS_ROLE}`),
      { name: 'AccessDeniedException' },
    ));
    const response = await run(create(properties(PRE_TOKEN)));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`UpdateUserPool must pass the pool's SMS role ${SMS_ROLE} back to Cognito`);
    expect(response.Reason).toContain('set the userPoolSmsRole property to that role');
  });

  test('logs what changed, slots and functions only: no pool settings', async () => {
    new FakeCognito(describedPool());
    await run(create(properties(PRE_TOKEN)));
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0][0]).toEqual({
      source: 'attach-triggers',
      requestType: 'Create',
      userPoolId: POOL_ID,
      outcome: 'updated',
      changes: [{ slot: 'PreTokenGeneration', to: { lambdaArn: OURS.preTokenNext, lambdaVersion: 'V2_0' } }],
    });
    const logged = JSON.stringify(info.mock.calls);
    expect(logged).not.toContain('b8c1e3f0-sms-external-id');
    expect(logged).not.toContain('SIGNATURE');
  });
});

describe('Update', () => {
  test('replaces only its own entries: a new function takes over, slots no longer wanted are emptied', async () => {
    const cognito = new FakeCognito(describedPool({ LambdaConfig: { ...existingTriggers(), ...CHALLENGE_CONFIG } }));
    const response = await run(update(properties(PRE_TOKEN), properties(CUSTOM_CHALLENGE)));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
    expect(cognito.pool().LambdaConfig).toEqual({
      ...existingTriggers(),
      PreTokenGeneration: OURS.preTokenNext,
      PreTokenGenerationConfig: { LambdaArn: OURS.preTokenNext, LambdaVersion: 'V2_0' },
    });
    expect(settingsOf(cognito.pool())).toEqual(settingsOf(describedPool()));
  });

  test('keeps its physical id and the record in it, and restores a released slot from that record', async () => {
    const recorded = `${PHYSICAL_ID};DefineAuthChallenge=${THEIRS.define}`;
    const cognito = new FakeCognito(describedPool({ LambdaConfig: { ...existingTriggers(), ...CHALLENGE_CONFIG } }));
    const response = await run(update(properties(PRE_TOKEN, { replace: true }), properties(CUSTOM_CHALLENGE, { replace: true }), recorded));

    expect(response.PhysicalResourceId).toBe(recorded);
    expect(cognito.pool().LambdaConfig).toMatchObject({ DefineAuthChallenge: THEIRS.define });
    expect(cognito.pool().LambdaConfig).not.toHaveProperty('CreateAuthChallenge');
  });

  test('a newly needed slot held by another function fails, even with replaceExistingTriggers, and changes nothing', async () => {
    const cognito = new FakeCognito(describedPool({
      LambdaConfig: { ...existingTriggers(), DefineAuthChallenge: THEIRS.define, PreTokenGeneration: OURS.preTokenNext },
    }));
    const response = await run(update(properties(CUSTOM_CHALLENGE, { replace: true }), properties(PRE_TOKEN, { replace: true })));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`The DefineAuthChallenge trigger of the user pool is held by ${THEIRS.define}. replaceExistingTriggers can only replace`);
    expect(response.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(cognito.updates).toEqual([]);
  });

  test('moving to another pool attaches there under a new id; the delete CloudFormation sends next detaches the old pool', async () => {
    const otherId = 'eu-west-1_OtHeR4567';
    const otherArn = `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${otherId}`;
    const cognito = new FakeCognito(
      describedPool({ LambdaConfig: { ...existingTriggers(), ...CHALLENGE_CONFIG } }),
      describedPool({ Id: otherId, Arn: otherArn, LambdaConfig: {} }),
    );
    const newProps = properties(CUSTOM_CHALLENGE, { poolId: otherId, poolArn: otherArn });
    const response = await run(update(newProps, properties(CUSTOM_CHALLENGE)));

    expect(response.PhysicalResourceId).toBe(`cognito-impersonation-triggers:${otherId}`);
    expect(cognito.pool(otherId).LambdaConfig).toEqual(CHALLENGE_CONFIG);
    expect(cognito.pool(POOL_ID).LambdaConfig).toEqual({ ...existingTriggers(), ...CHALLENGE_CONFIG });

    await run(remove(properties(CUSTOM_CHALLENGE), PHYSICAL_ID));
    expect(cognito.pool(POOL_ID).LambdaConfig).toEqual(existingTriggers());
    expect(cognito.pool(otherId).LambdaConfig).toEqual(CHALLENGE_CONFIG);
  });
});

describe('Delete', () => {
  test('restores what the slots held before, and leaves everything else untouched', async () => {
    const original = describedPool({
      LambdaConfig: {
        ...existingTriggers(),
        DefineAuthChallenge: THEIRS.define,
        PreTokenGeneration: THEIRS.preToken,
        PreTokenGenerationConfig: { LambdaArn: THEIRS.preToken, LambdaVersion: 'V2_0' },
      },
    });
    const cognito = new FakeCognito(original);
    const created = await run(create(properties(CUSTOM_CHALLENGE, { replace: true })));
    expect(created.Status).toBe('SUCCESS');

    const deleted = await run(remove(properties(CUSTOM_CHALLENGE, { replace: true }), created.PhysicalResourceId));
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
    expect(cognito.pool().LambdaConfig).toEqual(original.LambdaConfig);
    expect(settingsOf(cognito.pool())).toEqual(settingsOf(original));
  });

  test('a slot someone else took after the attachment is left to them', async () => {
    const later = 'arn:aws:lambda:eu-west-1:123456789012:function:taken-later';
    const cognito = new FakeCognito(describedPool({ LambdaConfig: { ...existingTriggers(), ...CHALLENGE_CONFIG, DefineAuthChallenge: later } }));
    await run(remove(properties(CUSTOM_CHALLENGE)));
    expect(cognito.pool().LambdaConfig).toEqual({ ...existingTriggers(), DefineAuthChallenge: later });
  });

  test('succeeds when the pool no longer exists', async () => {
    const cognito = new FakeCognito();
    const response = await run(remove(properties(CUSTOM_CHALLENGE)));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
    expect(cognito.updates).toEqual([]);
  });

  test('fails on any other error: triggers left pointing at deleted functions would break every sign-in', async () => {
    cognitoMock.on(DescribeUserPoolCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const response = await run(remove(properties(CUSTOM_CHALLENGE)));
    expect(response).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('TooManyRequestsException: Rate exceeded'), PhysicalResourceId: PHYSICAL_ID });
  });

  test('after a create that failed on its properties, there is nothing to detach', async () => {
    new FakeCognito(describedPool());
    const response = await run(remove({ UserPoolId: POOL_ID }, 'cognito-impersonation-triggers:unknown'));
    expect(response.Status).toBe('SUCCESS');
    expect(cognitoMock.calls()).toHaveLength(0);
  });
});

describe('idempotency: repeating an event leaves the same pool', () => {
  test('create, update and delete, each twice', async () => {
    const cognito = new FakeCognito(describedPool({ LambdaConfig: { ...existingTriggers(), DefineAuthChallenge: THEIRS.define } }));
    const props = properties(CUSTOM_CHALLENGE, { replace: true });

    const first = await run(create(props));
    const afterCreate = cognito.pool();
    expect((await run(create(props))).Status).toBe('SUCCESS');
    expect(cognito.pool()).toEqual(afterCreate);

    const next = properties(PRE_TOKEN, { replace: true });
    const updated = await run(update(next, props, first.PhysicalResourceId));
    const afterUpdate = cognito.pool();
    expect(await run(update(next, props, first.PhysicalResourceId))).toEqual(updated);
    expect(cognito.pool()).toEqual(afterUpdate);
    expect(afterUpdate.LambdaConfig?.DefineAuthChallenge).toBe(THEIRS.define);

    const deleted = await run(remove(next, first.PhysicalResourceId));
    const afterDelete = cognito.pool();
    expect(await run(remove(next, first.PhysicalResourceId))).toEqual(deleted);
    expect(cognito.pool()).toEqual(afterDelete);
    expect(afterDelete.LambdaConfig).toEqual({ ...existingTriggers(), DefineAuthChallenge: THEIRS.define });

    // Repeats found nothing to change, so they wrote nothing.
    expect(cognito.updates).toHaveLength(3);
  });

  test('a repeated create answers the same when it replaced nothing', async () => {
    new FakeCognito(describedPool());
    const first = await run(create(properties(CUSTOM_CHALLENGE)));
    expect(await run(create(properties(CUSTOM_CHALLENGE)))).toEqual(first);
  });

  test('limit: a repeated create cannot know what the first one replaced, so its id records nothing', async () => {
    // Only when CloudFormation never got the first answer (Lambda ran the create again).
    const cognito = new FakeCognito(describedPool({ LambdaConfig: { ...existingTriggers(), DefineAuthChallenge: THEIRS.define } }));
    const props = properties(CUSTOM_CHALLENGE, { replace: true });
    await run(create(props));
    const again = await run(create(props));
    expect(again.PhysicalResourceId).toBe(PHYSICAL_ID);
    await run(remove(props, again.PhysicalResourceId));
    expect(cognito.pool().LambdaConfig).toEqual(existingTriggers());
  });

  test('a create that fails while writing answers with its plan, so that the delete still restores', async () => {
    const original = { ...existingTriggers(), DefineAuthChallenge: THEIRS.define };
    const cognito = new FakeCognito(describedPool({ LambdaConfig: original }));
    const props = properties(CUSTOM_CHALLENGE, { replace: true });
    cognito.loseNextAnswer = true;
    const failed = await run(create(props));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `${PHYSICAL_ID};DefineAuthChallenge=${THEIRS.define}` });
    expect(cognito.pool().LambdaConfig?.DefineAuthChallenge).toBe(OURS.define);

    await run(remove(props, failed.PhysicalResourceId));
    expect(cognito.pool().LambdaConfig).toEqual(original);
  });
});
