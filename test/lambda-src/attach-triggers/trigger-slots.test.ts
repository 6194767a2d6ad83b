import type { LambdaConfigType } from '@aws-sdk/client-cognito-identity-provider';
import * as fc from 'fast-check';
import {
  TriggerAttachmentError,
  decodePhysicalId,
  encodePhysicalId,
  functionIdentity,
  planSlots,
  readSlot,
  writeSlot,
  type PlanInput,
  type SlotMap,
} from '../../../lambda-src/attach-triggers/trigger-slots';
import { TRIGGER_SLOTS } from '../../../src/private/attach-triggers-contract';
import { OURS, POOL_ID, THEIRS, existingTriggers } from '../fixtures/user-pool';

const preToken = (lambdaArn: string, lambdaVersion = 'V2_0') => ({ lambdaArn, lambdaVersion });

describe('readSlot / writeSlot', () => {
  test('Pre Token Generation is read from PreTokenGenerationConfig, with its version', () => {
    expect(readSlot({
      PreTokenGeneration: THEIRS.preToken,
      PreTokenGenerationConfig: { LambdaArn: THEIRS.preToken, LambdaVersion: 'V2_0' },
    }, 'PreTokenGeneration')).toEqual(preToken(THEIRS.preToken));
  });

  test('a pool set up before trigger versions has the string only, which is V1_0', () => {
    expect(readSlot({ PreTokenGeneration: THEIRS.preToken }, 'PreTokenGeneration')).toEqual(preToken(THEIRS.preToken, 'V1_0'));
  });

  test('an empty slot reads as nothing', () => {
    expect(readSlot(existingTriggers(), 'PreTokenGeneration')).toBeUndefined();
    expect(readSlot(existingTriggers(), 'DefineAuthChallenge')).toBeUndefined();
    expect(readSlot(existingTriggers(), 'PreSignUp')).toEqual({ lambdaArn: THEIRS.preSignUp });
  });

  test('Pre Token Generation is written under both names, consistently, as Cognito reports it', () => {
    const config = writeSlot({ PreTokenGeneration: THEIRS.preToken }, 'PreTokenGeneration', preToken(OURS.preToken));
    expect(config).toEqual({
      PreTokenGeneration: OURS.preToken,
      PreTokenGenerationConfig: { LambdaArn: OURS.preToken, LambdaVersion: 'V2_0' },
    });
  });

  test('emptying a slot removes it; every other key is kept as it was', () => {
    const before: LambdaConfigType = {
      ...existingTriggers(),
      DefineAuthChallenge: OURS.define,
      PreTokenGeneration: OURS.preToken,
      PreTokenGenerationConfig: { LambdaArn: OURS.preToken, LambdaVersion: 'V2_0' },
    };
    const after = writeSlot(writeSlot(before, 'PreTokenGeneration', undefined), 'DefineAuthChallenge', undefined);
    expect(after).toEqual(existingTriggers());
    expect(before.DefineAuthChallenge).toBe(OURS.define); // not changed in place
  });

  test('every slot round-trips', () => {
    for (const slot of TRIGGER_SLOTS) {
      const holder = slot === 'PreTokenGeneration' ? preToken(OURS.preToken, 'V1_0') : { lambdaArn: OURS.define };
      expect({ slot, read: readSlot(writeSlot({}, slot, holder), slot) }).toEqual({ slot, read: holder });
    }
  });
});

describe('functionIdentity', () => {
  test('versions and aliases name the same function', () => {
    const base = 'arn:aws:lambda:eu-west-1:123456789012:function:app-pre-token';
    expect(functionIdentity(`${base}:7`)).toBe(base);
    expect(functionIdentity(`${base}:live`)).toBe(base);
    expect(functionIdentity(`${base}:$LATEST`)).toBe(base);
    expect(functionIdentity(base)).toBe(base);
  });

  test('different functions stay different, also in other accounts and partitions', () => {
    expect(functionIdentity('arn:aws:lambda:eu-west-1:210987654321:function:app-pre-token'))
      .not.toBe(functionIdentity('arn:aws:lambda:eu-west-1:123456789012:function:app-pre-token'));
    expect(functionIdentity('arn:aws-cn:lambda:cn-north-1:123456789012:function:f:1')).toBe('arn:aws-cn:lambda:cn-north-1:123456789012:function:f');
  });
});

describe('physical id', () => {
  test('names the pool, and nothing else when nothing was replaced', () => {
    expect(encodePhysicalId(POOL_ID, {})).toBe(`cognito-impersonation-triggers:${POOL_ID}`);
    expect(decodePhysicalId(`cognito-impersonation-triggers:${POOL_ID}`)).toEqual({ userPoolId: POOL_ID, replaced: {} });
  });

  test('records replaced holders, readable in the CloudFormation console', () => {
    const replaced: SlotMap = { PreTokenGeneration: preToken(THEIRS.preToken, 'V1_0'), DefineAuthChallenge: { lambdaArn: THEIRS.define } };
    const id = encodePhysicalId(POOL_ID, replaced);
    expect(id).toBe(`cognito-impersonation-triggers:${POOL_ID};DefineAuthChallenge=${THEIRS.define};PreTokenGeneration=${THEIRS.preToken}@V1_0`);
    expect(decodePhysicalId(id)).toEqual({ userPoolId: POOL_ID, replaced });
  });

  test('round-trips any record', () => {
    const arn = fc.tuple(fc.stringMatching(/^[\w-]{1,64}$/), fc.option(fc.stringMatching(/^[\w$-]{1,20}$/), { nil: undefined }))
      .map(([name, qualifier]) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}${qualifier ? `:${qualifier}` : ''}`);
    const record = fc.dictionary(fc.constantFrom(...TRIGGER_SLOTS), arn).map((entries) => {
      const replaced: SlotMap = {};
      for (const [slot, lambdaArn] of Object.entries(entries)) {
        replaced[slot as keyof SlotMap] = slot === 'PreTokenGeneration' ? preToken(lambdaArn, 'V1_0') : { lambdaArn };
      }
      return replaced;
    });
    fc.assert(fc.property(record, (replaced) => {
      expect(decodePhysicalId(encodePhysicalId(POOL_ID, replaced))).toEqual({ userPoolId: POOL_ID, replaced });
    }));
  });

  test('an id this handler did not make decodes to nothing', () => {
    expect(decodePhysicalId(undefined)).toBeUndefined();
    expect(decodePhysicalId('2026/01/02/[$LATEST]abcdef')).toBeUndefined();
    expect(decodePhysicalId(`cognito-impersonation-triggers:${POOL_ID};NotASlot=${THEIRS.define}`)).toBeUndefined();
    expect(decodePhysicalId(`cognito-impersonation-triggers:${POOL_ID};PreSignUp=`)).toBeUndefined();
  });
});

describe('planSlots', () => {
  const ours = new Set([OURS.preToken, OURS.define, OURS.create, OURS.verify, OURS.preTokenNext]);
  const plan = (input: Partial<PlanInput>) => planSlots({
    current: existingTriggers(),
    wanted: {},
    released: [],
    ours,
    replaced: {},
    replaceExisting: false,
    mayRecord: true,
    ...input,
  });
  const challenge: SlotMap = {
    DefineAuthChallenge: { lambdaArn: OURS.define },
    CreateAuthChallenge: { lambdaArn: OURS.create },
    VerifyAuthChallengeResponse: { lambdaArn: OURS.verify },
    PreTokenGeneration: preToken(OURS.preToken),
  };

  test('fills empty slots and leaves every other key of LambdaConfig alone', () => {
    const result = plan({ wanted: challenge });
    expect(result.lambdaConfig).toEqual({
      ...existingTriggers(),
      DefineAuthChallenge: OURS.define,
      CreateAuthChallenge: OURS.create,
      VerifyAuthChallengeResponse: OURS.verify,
      PreTokenGeneration: OURS.preToken,
      PreTokenGenerationConfig: { LambdaArn: OURS.preToken, LambdaVersion: 'V2_0' },
    });
    expect(result.changes.map((c) => c.slot)).toEqual(['DefineAuthChallenge', 'CreateAuthChallenge', 'VerifyAuthChallengeResponse', 'PreTokenGeneration']);
    expect(result.replaced).toEqual({});
  });

  test('a slot another function holds is refused, naming the slot and the function', () => {
    const current = { ...existingTriggers(), PreTokenGeneration: THEIRS.preToken };
    expect(() => plan({ current, wanted: challenge })).toThrow(TriggerAttachmentError);
    expect(() => plan({ current, wanted: challenge }))
      .toThrow(`The PreTokenGeneration trigger of the user pool is held by ${THEIRS.preToken}, which is not a function of this construct.`);
  });

  describe('a legacy Pre Token Generation trigger (LambdaConfig.PreTokenGeneration)', () => {
    // As DescribeUserPool reports an imported pool with a legacy trigger: both names, one function.
    const legacy = { ...existingTriggers(), PreTokenGeneration: THEIRS.preToken, PreTokenGenerationConfig: { LambdaArn: THEIRS.preToken, LambdaVersion: 'V1_0' as const } };

    test('is refused with a message that names both fields and the way out', () => {
      expect(() => plan({ current: legacy, wanted: challenge }))
        .toThrow(/held by .*function:app-pre-token.*LambdaConfig\.PreTokenGeneration \(the legacy trigger\) and PreTokenGenerationConfig\.LambdaArn.*replaceExistingTriggers/s);
    });

    test('is replaced with replaceExistingTriggers, both fields consistently, and recorded for the restore', () => {
      const result = plan({ current: legacy, wanted: challenge, replaceExisting: true });
      expect(result.lambdaConfig.PreTokenGeneration).toBe(OURS.preToken);
      expect(result.lambdaConfig.PreTokenGenerationConfig).toEqual({ LambdaArn: OURS.preToken, LambdaVersion: 'V2_0' });
      expect(result.replaced.PreTokenGeneration).toEqual(preToken(THEIRS.preToken, 'V1_0'));
    });

    test('the two fields naming different functions: the legacy one is not overwritten unnoticed', () => {
      // PreTokenGenerationConfig holds ours (from an earlier deployment), the legacy field another function.
      const split = { ...existingTriggers(), PreTokenGeneration: THEIRS.preToken, PreTokenGenerationConfig: { LambdaArn: OURS.preToken, LambdaVersion: 'V2_0' as const } };
      expect(() => plan({ current: split, wanted: challenge })).toThrow(TriggerAttachmentError);
      const replacing = plan({ current: split, wanted: challenge, replaceExisting: true });
      expect(replacing.lambdaConfig.PreTokenGeneration).toBe(OURS.preToken);
      expect(replacing.changes.map((c) => c.slot)).toContain('PreTokenGeneration');
      expect(replacing.replaced.PreTokenGeneration).toEqual(preToken(THEIRS.preToken, 'V1_0'));
    });
  });

  test('replacing is opt-in, and records what it replaced', () => {
    const current = { ...existingTriggers(), DefineAuthChallenge: THEIRS.define, PreTokenGeneration: THEIRS.preToken };
    const result = plan({ current, wanted: challenge, replaceExisting: true });
    expect(result.replaced).toEqual({ DefineAuthChallenge: { lambdaArn: THEIRS.define }, PreTokenGeneration: preToken(THEIRS.preToken, 'V1_0') });
    expect(readSlot(result.lambdaConfig, 'DefineAuthChallenge')).toEqual({ lambdaArn: OURS.define });
  });

  test('our own function under an alias or version is ours, not a conflict', () => {
    const current = { ...existingTriggers(), DefineAuthChallenge: `${OURS.define}:live` };
    const result = plan({ current, wanted: { DefineAuthChallenge: { lambdaArn: OURS.define } } });
    expect(result.replaced).toEqual({});
    expect(result.lambdaConfig.DefineAuthChallenge).toBe(OURS.define);
  });

  test('a slot that already holds what is wanted is no change', () => {
    const once = plan({ wanted: challenge });
    const twice = plan({ current: once.lambdaConfig, wanted: challenge });
    expect(twice.changes).toEqual([]);
    expect(twice.lambdaConfig).toEqual(once.lambdaConfig);
  });

  test('a new version of our function replaces the old one', () => {
    const current = writeSlot(existingTriggers(), 'PreTokenGeneration', preToken(OURS.preToken, 'V1_0'));
    const result = plan({ current, wanted: { PreTokenGeneration: preToken(OURS.preTokenNext) }, mayRecord: false });
    expect(readSlot(result.lambdaConfig, 'PreTokenGeneration')).toEqual(preToken(OURS.preTokenNext));
    expect(result.changes).toEqual([{ slot: 'PreTokenGeneration', from: preToken(OURS.preToken, 'V1_0'), to: preToken(OURS.preTokenNext) }]);
  });

  test('a released slot gets back what it held before, or is emptied', () => {
    const current = { ...existingTriggers(), DefineAuthChallenge: OURS.define, CreateAuthChallenge: OURS.create };
    const result = plan({
      current,
      released: ['DefineAuthChallenge', 'CreateAuthChallenge'],
      replaced: { DefineAuthChallenge: { lambdaArn: THEIRS.define } },
      mayRecord: false,
    });
    expect(result.lambdaConfig).toEqual({ ...existingTriggers(), DefineAuthChallenge: THEIRS.define });
  });

  test('a released slot someone else has taken since is left alone', () => {
    const current = { ...existingTriggers(), DefineAuthChallenge: 'arn:aws:lambda:eu-west-1:123456789012:function:someone-else' };
    const result = plan({ current, released: ['DefineAuthChallenge'], replaced: { DefineAuthChallenge: { lambdaArn: THEIRS.define } }, mayRecord: false });
    expect(result.changes).toEqual([]);
    expect(result.lambdaConfig).toBe(current);
  });

  test('after creation, a newly needed slot held by another function cannot be replaced: it could not be restored', () => {
    const current = { ...existingTriggers(), DefineAuthChallenge: THEIRS.define };
    expect(() => plan({ current, wanted: challenge, replaceExisting: true, mayRecord: false }))
      .toThrow(`The DefineAuthChallenge trigger of the user pool is held by ${THEIRS.define}. replaceExistingTriggers can only replace`);
  });

  test('after creation, taking back a slot from the function recorded for it is fine: restoring it stays right', () => {
    const current = { ...existingTriggers(), DefineAuthChallenge: THEIRS.define };
    const replaced = { DefineAuthChallenge: { lambdaArn: THEIRS.define } };
    const result = plan({ current, wanted: challenge, replaceExisting: true, mayRecord: false, replaced });
    expect(result.lambdaConfig.DefineAuthChallenge).toBe(OURS.define);
    expect(result.replaced).toEqual(replaced);
  });
});
