import { Readable } from 'stream';
import {
  CognitoIdentityProviderClient,
  UpdateUserPoolCommand,
  UpdateUserPoolRequest$,
  UserPoolType$,
} from '@aws-sdk/client-cognito-identity-provider';
import type { LambdaConfigType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { PRESERVED_FIELDS, READ_ONLY_FIELDS, toUpdateUserPoolInput } from '../../../lambda-src/attach-triggers/user-pool-update';
import { OURS, POOL_ID, describedPool, existingTriggers } from '../fixtures/user-pool';

/**
 * The members of an SDK structure, read from the SDK's own schema: independent of the
 * lists under test, and updated with the SDK.
 */
function membersOf(schema: unknown): string[] {
  const members = (schema as unknown[])[4];
  if (!Array.isArray(members)) throw new Error('unexpected SDK schema shape');
  return [...members as string[]].sort();
}

const UPDATE_PARAMETERS = membersOf(UpdateUserPoolRequest$);
const DESCRIBED_FIELDS = membersOf(UserPoolType$);

/** Written out by hand from the DescribeUserPool and UpdateUserPool API references. */
const EXPECTED_READ_ONLY = [
  'Arn', 'CreationDate', 'CustomDomain', 'Domain', 'EmailConfigurationFailure', 'EstimatedNumberOfUsers', 'Id',
  'LastModifiedDate', 'Name', 'SchemaAttributes', 'SmsConfigurationFailure', 'Status', 'UsernameAttributes',
  'AliasAttributes', 'UsernameConfiguration',
].sort();

const merged: LambdaConfigType = {
  ...existingTriggers(),
  PreTokenGeneration: OURS.preToken,
  PreTokenGenerationConfig: { LambdaArn: OURS.preToken, LambdaVersion: 'V2_0' },
};

describe('the fixture', () => {
  test('sets every field DescribeUserPool returns, so that nothing below passes for lack of data', () => {
    const pool = describedPool() as unknown as Record<string, unknown>;
    const missing = DESCRIBED_FIELDS.filter((name) => pool[name] === undefined);
    expect(missing).toEqual([]);
  });

  test('covers every UpdateUserPool parameter (PoolName as Name)', () => {
    const pool = describedPool() as unknown as Record<string, unknown>;
    const missing = UPDATE_PARAMETERS
      .map((name) => (name === 'UserPoolId' ? 'Id' : name === 'PoolName' ? 'Name' : name))
      .filter((name) => pool[name] === undefined);
    expect(missing).toEqual([]);
  });
});

describe('toUpdateUserPoolInput', () => {
  test('gives back every UpdateUserPool parameter, and nothing else', () => {
    const input = toUpdateUserPoolInput(describedPool(), merged);
    expect(Object.keys(input).sort()).toEqual(UPDATE_PARAMETERS);
  });

  test('preserves every writable setting exactly as described', () => {
    const pool = describedPool();
    const input = toUpdateUserPoolInput(pool, merged) as unknown as Record<string, unknown>;
    const described = pool as unknown as Record<string, unknown>;
    for (const name of UPDATE_PARAMETERS) {
      if (['UserPoolId', 'PoolName', 'LambdaConfig', 'AdminCreateUserConfig'].includes(name)) continue;
      expect({ name, value: input[name] }).toEqual({ name, value: described[name] });
    }
    expect(input.UserPoolId).toBe(POOL_ID);
    expect(input.PoolName).toBe('production-customers');
    // The deprecated duplicate is dropped; TemporaryPasswordValidityDays already holds the value.
    expect(input.AdminCreateUserConfig).toEqual({
      AllowAdminCreateUserOnly: true,
      InviteMessageTemplate: pool.AdminCreateUserConfig!.InviteMessageTemplate,
    });
    expect((input.Policies as any).PasswordPolicy.TemporaryPasswordValidityDays).toBe(3);
  });

  test('sets the LambdaConfig it is given: the owner\'s triggers, the custom senders and their KMS key included', () => {
    const input = toUpdateUserPoolInput(describedPool(), merged);
    expect(input.LambdaConfig).toEqual(merged);
    expect(input.LambdaConfig?.KMSKeyID).toBe(describedPool().LambdaConfig!.KMSKeyID);
    expect(input.LambdaConfig?.CustomEmailSender).toEqual(describedPool().LambdaConfig!.CustomEmailSender);
  });

  test('drops the read-only fields', () => {
    const input = toUpdateUserPoolInput(describedPool(), merged) as unknown as Record<string, unknown>;
    for (const name of EXPECTED_READ_ONLY) {
      expect({ name, present: name in input }).toEqual({ name, present: false });
    }
    expect([...READ_ONLY_FIELDS].sort()).toEqual(EXPECTED_READ_ONLY);
  });

  test('the read-only and preserved lists together classify every described field', () => {
    const classified = [...READ_ONLY_FIELDS, ...PRESERVED_FIELDS, 'LambdaConfig'].sort();
    expect(classified).toEqual(DESCRIBED_FIELDS);
  });

  test('moves the deprecated UnusedAccountValidityDays into the password policy when that has none', () => {
    const pool = describedPool();
    delete pool.Policies!.PasswordPolicy!.TemporaryPasswordValidityDays;
    pool.AdminCreateUserConfig!.UnusedAccountValidityDays = 5;
    const input = toUpdateUserPoolInput(pool, merged);
    expect(input.AdminCreateUserConfig).not.toHaveProperty('UnusedAccountValidityDays');
    expect(input.Policies?.PasswordPolicy).toEqual({ ...pool.Policies!.PasswordPolicy, TemporaryPasswordValidityDays: 5 });
    expect(input.Policies?.SignInPolicy).toEqual(pool.Policies!.SignInPolicy);
  });

  test('creates the password policy to carry UnusedAccountValidityDays when the pool reported none', () => {
    const pool = describedPool({ Policies: undefined, AdminCreateUserConfig: { UnusedAccountValidityDays: 9 } });
    const input = toUpdateUserPoolInput(pool, merged);
    expect(input.Policies).toEqual({ PasswordPolicy: { TemporaryPasswordValidityDays: 9 } });
    expect(input.AdminCreateUserConfig).toEqual({});
  });

  test('leaves out what the pool did not report, instead of sending nulls', () => {
    const pool: UserPoolType = { Id: POOL_ID, Name: 'minimal', MfaConfiguration: 'OFF', DeviceConfiguration: undefined };
    (pool as any).SmsConfiguration = null;
    expect(toUpdateUserPoolInput(pool, {})).toEqual({
      UserPoolId: POOL_ID, PoolName: 'minimal', MfaConfiguration: 'OFF', LambdaConfig: {},
    });
  });

  test('passes on a field this version does not know, so that Cognito keeps it or refuses it rather than resetting it', () => {
    const pool = { ...describedPool(), FutureSetting: { Enabled: true } } as UserPoolType;
    expect(toUpdateUserPoolInput(pool, merged)).toHaveProperty('FutureSetting', { Enabled: true });
  });

  test('does not change the described pool', () => {
    const pool = describedPool();
    toUpdateUserPoolInput(pool, merged);
    expect(pool).toEqual(describedPool());
  });
});

describe('on the wire', () => {
  /** The JSON body the SDK would send: proves its serializer drops none of the fields. */
  async function sentBody(input: object): Promise<Record<string, unknown>> {
    let body: unknown = '';
    const client = new CognitoIdentityProviderClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: { body: unknown }) => {
          body = request.body;
          return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from('{}')]) } };
        },
      } as any,
    });
    await client.send(new UpdateUserPoolCommand(input as any));
    return JSON.parse(new TextDecoder().decode(body as Uint8Array));
  }

  test('the SDK sends every preserved setting, nested values included', async () => {
    const input = toUpdateUserPoolInput(describedPool(), merged);
    const body = await sentBody(input);
    expect(Object.keys(body).sort()).toEqual(UPDATE_PARAMETERS);
    expect(body.KeyConfiguration).toEqual(describedPool().KeyConfiguration);
    expect(body.AcrConfiguration).toEqual(describedPool().AcrConfiguration);
    expect(body.LambdaConfig).toEqual(merged);
    expect(body.SmsConfiguration).toEqual(describedPool().SmsConfiguration);
  });
});
