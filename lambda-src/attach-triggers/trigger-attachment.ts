import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { CustomResourceResult } from './cfn-response';
import {
  TriggerAttachmentError,
  decodePhysicalId,
  encodePhysicalId,
  functionIdentity,
  planSlots,
  type Plan,
  type SlotMap,
} from './trigger-slots';
import { toUpdateUserPoolInput } from './user-pool-update';
import {
  ATTACH_TRIGGERS,
  ATTACH_TRIGGERS_PROPERTY as PROPERTY,
  TRIGGER_SLOTS,
  type TriggerSlot,
  VERSIONED_SLOT,
} from '../../src/private/attach-triggers-contract';

/** The custom resource's properties, checked. */
export interface AttachmentProperties {
  readonly userPoolId: string;
  /** Where the pool lives, from its ARN. */
  readonly region: string;
  readonly replaceExisting: boolean;
  readonly triggers: SlotMap;
}

const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool\/([\w-]+_[0-9a-zA-Z]+)$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]{1,140}(:[\w$-]{1,128})?$/;
const PRE_TOKEN_VERSIONS = ['V1_0', 'V2_0', 'V3_0'];

/** How attachTriggers is run. */
export interface AttachOptions {
  /** A Cognito client; by default one for the pool's region. */
  readonly client?: CognitoIdentityProviderClient;
  /**
   * Told the physical id of a new attachment before the pool is written: if the create
   * fails after that (a timeout while UpdateUserPool is under way), its FAILED answer
   * still carries the record of what was replaced, for the delete that follows.
   */
  readonly onPlanned?: (physicalResourceId: string) => void;
}

/** Attaches (Create, Update) or detaches (Delete) the construct's triggers. */
export async function attachTriggers(event: CloudFormationCustomResourceEvent, options: AttachOptions = {}): Promise<CustomResourceResult> {
  switch (event.RequestType) {
    case 'Create':
      return attach(parseProperties(event.ResourceProperties), undefined, options);
    case 'Update': {
      const props = parseProperties(event.ResourceProperties);
      const old = parseProperties(event.OldResourceProperties);
      if (old.userPoolId !== props.userPoolId) {
        // Another pool: attach there under a new physical id; CloudFormation then deletes
        // the old one, which detaches from the old pool.
        return attach(props, undefined, options);
      }
      return attach(props, { old, physicalResourceId: event.PhysicalResourceId }, options);
    }
    case 'Delete':
      return detach(event, options.client);
  }
}

/** Checks the properties CloudFormation passed (every scalar arrives as a string). */
export function parseProperties(raw: Record<string, unknown> | undefined): AttachmentProperties {
  const props = raw ?? {};
  const arn = USER_POOL_ARN.exec(String(props[PROPERTY.USER_POOL_ARN] ?? ''));
  const userPoolId = props[PROPERTY.USER_POOL_ID];
  if (!arn || arn[2] !== userPoolId) {
    throw new TriggerAttachmentError(`${PROPERTY.USER_POOL_ARN} must be the ARN of the user pool ${PROPERTY.USER_POOL_ID} names`);
  }
  const replace = String(props[PROPERTY.REPLACE_EXISTING] ?? 'false');
  if (replace !== 'true' && replace !== 'false') {
    throw new TriggerAttachmentError(`${PROPERTY.REPLACE_EXISTING} must be "true" or "false"`);
  }
  const entries = props[PROPERTY.TRIGGERS];
  if (!Array.isArray(entries)) {
    throw new TriggerAttachmentError(`${PROPERTY.TRIGGERS} must be a list`);
  }
  const triggers: SlotMap = {};
  for (const entry of entries as Array<Record<string, unknown>>) {
    const slot = entry?.Slot as TriggerSlot;
    const lambdaArn = entry?.LambdaArn;
    const lambdaVersion = entry?.LambdaVersion;
    if (!TRIGGER_SLOTS.includes(slot) || triggers[slot]) {
      throw new TriggerAttachmentError(`${PROPERTY.TRIGGERS}: '${String(slot)}' is not a trigger slot, or is listed twice`);
    }
    if (typeof lambdaArn !== 'string' || !LAMBDA_ARN.test(lambdaArn)) {
      throw new TriggerAttachmentError(`${PROPERTY.TRIGGERS}: the ${slot} function is not a Lambda function ARN`);
    }
    if (slot === VERSIONED_SLOT ? !PRE_TOKEN_VERSIONS.includes(String(lambdaVersion ?? 'V1_0')) : lambdaVersion !== undefined) {
      throw new TriggerAttachmentError(`${PROPERTY.TRIGGERS}: the ${slot} trigger cannot have LambdaVersion '${String(lambdaVersion)}'`);
    }
    triggers[slot] = slot === VERSIONED_SLOT ? { lambdaArn, lambdaVersion: String(lambdaVersion ?? 'V1_0') } : { lambdaArn };
  }
  return { userPoolId, region: arn[1], replaceExisting: replace === 'true', triggers };
}

interface Previous {
  readonly old: AttachmentProperties;
  readonly physicalResourceId: string;
}

async function attach(props: AttachmentProperties, previous: Previous | undefined, options: AttachOptions): Promise<CustomResourceResult> {
  const client = options.client ?? cognitoClientFor(props.region);
  const pool = await describe(client, props.userPoolId);
  assertTierSupports(pool, props);
  const plan = planSlots({
    current: pool.LambdaConfig ?? {},
    wanted: props.triggers,
    released: previous ? slotsOf(previous.old).filter((slot) => !props.triggers[slot]) : [],
    ours: identitiesOf(props, previous?.old),
    replaced: previous ? replacedOf(previous.physicalResourceId, props.userPoolId) : {},
    replaceExisting: props.replaceExisting,
    mayRecord: previous === undefined,
  });
  // An update keeps its id: a new one would make CloudFormation delete the old one.
  const physicalResourceId = previous?.physicalResourceId ?? encodePhysicalId(props.userPoolId, plan.replaced);
  if (physicalResourceId.length > ATTACH_TRIGGERS.MAX_PHYSICAL_ID_LENGTH) {
    throw new TriggerAttachmentError(
      'Too many replaced triggers to record for their restoration; remove some from the pool, then deploy again',
    );
  }
  if (!previous) options.onPlanned?.(physicalResourceId);
  await write(client, pool, plan, previous ? 'Update' : 'Create');
  return {
    physicalResourceId,
    data: { UserPoolId: props.userPoolId, Slots: slotsOf(props).join(',') },
  };
}

/**
 * Puts back what the slots held before the construct, where they still hold its
 * functions. A pool that no longer exists has nothing left to detach from.
 */
async function detach(
  event: CloudFormationCustomResourceDeleteEvent,
  client?: CognitoIdentityProviderClient,
): Promise<CustomResourceResult> {
  const physicalResourceId = event.PhysicalResourceId;
  let props: AttachmentProperties;
  try {
    props = parseProperties(event.ResourceProperties);
  } catch {
    // A create that failed on its properties attached nothing.
    return { physicalResourceId };
  }
  const cognito = client ?? cognitoClientFor(props.region);
  let pool: UserPoolType;
  try {
    pool = await describe(cognito, props.userPoolId);
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') {
      log('Delete', props.userPoolId, [], 'the user pool no longer exists');
      return { physicalResourceId };
    }
    throw err;
  }
  const plan = planSlots({
    current: pool.LambdaConfig ?? {},
    wanted: {},
    released: slotsOf(props),
    ours: identitiesOf(props),
    replaced: replacedOf(physicalResourceId, props.userPoolId),
    replaceExisting: false,
    mayRecord: false,
  });
  await write(cognito, pool, plan, 'Delete');
  return { physicalResourceId };
}

async function describe(client: CognitoIdentityProviderClient, userPoolId: string): Promise<UserPoolType> {
  const { UserPool: pool } = await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
  if (!pool?.Id) {
    throw new TriggerAttachmentError(`DescribeUserPool returned no user pool for ${userPoolId}`);
  }
  return pool;
}

/** One UpdateUserPool with every other setting preserved, and only when a slot changes. */
async function write(client: CognitoIdentityProviderClient, pool: UserPoolType, plan: Plan, requestType: string): Promise<void> {
  if (plan.changes.length > 0) {
    try {
      await client.send(new UpdateUserPoolCommand(toUpdateUserPoolInput(pool, plan.lambdaConfig)));
    } catch (err) {
      throw explain(err, pool);
    }
  }
  log(requestType, pool.Id!, plan.changes, plan.changes.length > 0 ? 'updated' : 'unchanged');
}

/**
 * Pre Token Generation events V2_0 and V3_0 need the Essentials or Plus feature plan:
 * say so, instead of Cognito's less specific refusal.
 */
function assertTierSupports(pool: UserPoolType, props: AttachmentProperties): void {
  const version = props.triggers[VERSIONED_SLOT]?.lambdaVersion;
  if (pool.UserPoolTier === 'LITE' && version !== undefined && version !== 'V1_0') {
    throw new TriggerAttachmentError(
      `The user pool is on the Lite feature plan, which only supports Pre Token Generation events V1_0, not ${version}: `
      + 'choose lambdaVersion V1_0 in the strategy, or move the pool to the Essentials or Plus plan.',
    );
  }
}

/**
 * UpdateUserPool hands the pool's SMS role back to Cognito, which IAM checks as
 * iam:PassRole by the caller: name the prop that grants it.
 */
function explain(err: unknown, pool: UserPoolType): unknown {
  const e = err as { name?: string; message?: string };
  const smsRole = pool.SmsConfiguration?.SnsCallerArn ?? pool.SmsConfiguration?.EumsSms?.CallerArn;
  if (e.name === 'AccessDeniedException' && /iam:PassRole/.test(e.message ?? '') && smsRole) {
    return new TriggerAttachmentError(
      `UpdateUserPool must pass the pool's SMS role ${smsRole} back to Cognito, which needs iam:PassRole on it: `
      + `set the userPoolSmsRole property to that role. Cognito said: ${e.message}`,
    );
  }
  return err;
}

function slotsOf(props: AttachmentProperties): TriggerSlot[] {
  return TRIGGER_SLOTS.filter((slot) => props.triggers[slot]);
}

function identitiesOf(...props: Array<AttachmentProperties | undefined>): Set<string> {
  return new Set(props.flatMap((p) => Object.values(p?.triggers ?? {}).map((holder) => functionIdentity(holder!.lambdaArn))));
}

/** The record is only trusted for the pool it was made for. */
function replacedOf(physicalResourceId: string, userPoolId: string): SlotMap {
  const decoded = decodePhysicalId(physicalResourceId);
  return decoded?.userPoolId === userPoolId ? decoded.replaced : {};
}

function cognitoClientFor(region: string): CognitoIdentityProviderClient {
  // UpdateUserPool has a low request rate quota: retry throttling a little longer.
  return new CognitoIdentityProviderClient({ region, maxAttempts: 5 });
}

/** One JSON record per event in the audit log group: slots and function ARNs only. */
function log(requestType: string, userPoolId: string, changes: Plan['changes'], outcome: string): void {
  console.info({ source: ATTACH_TRIGGERS.SOURCE, requestType, userPoolId, outcome, changes });
}
