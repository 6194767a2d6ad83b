import type { LambdaConfigType } from '@aws-sdk/client-cognito-identity-provider';
import {
  ATTACH_TRIGGERS,
  TRIGGER_SLOTS,
  type TriggerSlot,
  VERSIONED_SLOT,
} from '../../src/private/attach-triggers-contract';

/** The function in a trigger slot; `lambdaVersion` for Pre Token Generation only. */
export interface SlotHolder {
  readonly lambdaArn: string;
  readonly lambdaVersion?: string;
}

/** A function per slot. */
export type SlotMap = Partial<Record<TriggerSlot, SlotHolder>>;

/**
 * A refusal whose message is written for the person deploying: it becomes the reason
 * CloudFormation shows. Slot names and function ARNs only, never pool settings.
 */
export class TriggerAttachmentError extends Error {
  public readonly name = 'TriggerAttachmentError';
}

/**
 * The function in a slot. Cognito reports a Pre Token Generation trigger both as
 * `PreTokenGenerationConfig` (with its event version) and as the older `PreTokenGeneration`
 * string; a pool set up before versions existed may have the string only (V1_0).
 */
export function readSlot(config: LambdaConfigType, slot: TriggerSlot): SlotHolder | undefined {
  if (slot === VERSIONED_SLOT) {
    const versioned = config.PreTokenGenerationConfig;
    if (versioned?.LambdaArn) {
      return { lambdaArn: versioned.LambdaArn, lambdaVersion: versioned.LambdaVersion ?? 'V1_0' };
    }
    return config.PreTokenGeneration ? { lambdaArn: config.PreTokenGeneration, lambdaVersion: 'V1_0' } : undefined;
  }
  const arn = config[slot];
  return arn ? { lambdaArn: arn } : undefined;
}

/**
 * Every function a slot names. Cognito keeps one Pre Token Generation function and reports
 * it under both names; should they ever differ (the legacy `PreTokenGeneration` naming
 * another function than `PreTokenGenerationConfig`), both count, so that neither is
 * overwritten unnoticed.
 */
export function holdersOf(config: LambdaConfigType, slot: TriggerSlot): SlotHolder[] {
  const holder = readSlot(config, slot);
  const legacy = slot === VERSIONED_SLOT ? config.PreTokenGeneration : undefined;
  if (holder && legacy && functionIdentity(legacy) !== functionIdentity(holder.lambdaArn)) {
    return [holder, { lambdaArn: legacy, lambdaVersion: 'V1_0' }];
  }
  return holder ? [holder] : [];
}

/** A copy of `config` with `slot` holding `holder`, or emptied. Other keys are untouched. */
export function writeSlot(config: LambdaConfigType, slot: TriggerSlot, holder: SlotHolder | undefined): LambdaConfigType {
  const next: LambdaConfigType = { ...config };
  if (slot === VERSIONED_SLOT) {
    delete next.PreTokenGeneration;
    delete next.PreTokenGenerationConfig;
    if (holder) {
      // Both names, consistent with each other, as Cognito itself reports them.
      next.PreTokenGeneration = holder.lambdaArn;
      next.PreTokenGenerationConfig = {
        LambdaArn: holder.lambdaArn,
        LambdaVersion: (holder.lambdaVersion ?? 'V1_0') as 'V1_0',
      };
    }
    return next;
  }
  delete next[slot];
  if (holder) next[slot] = holder.lambdaArn;
  return next;
}

/**
 * The function an ARN names, without a version or alias qualifier: `…:function:f`,
 * `…:function:f:7` and `…:function:f:live` are the same function.
 */
export function functionIdentity(lambdaArn: string): string {
  const parts = lambdaArn.split(':');
  return parts.length > 7 && parts[2] === 'lambda' && parts[5] === 'function' ? parts.slice(0, 7).join(':') : lambdaArn;
}

function sameHolder(a: SlotHolder | undefined, b: SlotHolder | undefined): boolean {
  return a?.lambdaArn === b?.lambdaArn && a?.lambdaVersion === b?.lambdaVersion;
}

/** What one event asks of the pool's trigger slots. */
export interface PlanInput {
  readonly current: LambdaConfigType;
  /** The slots this resource must hold now, and with which function. */
  readonly wanted: SlotMap;
  /** Slots this resource held and no longer wants (an update dropped them, or a delete). */
  readonly released: readonly TriggerSlot[];
  /** Identities (functionIdentity) of this resource's functions, before and after an update. */
  readonly ours: ReadonlySet<string>;
  /** What slots held before this resource replaced them (from its physical id). */
  readonly replaced: SlotMap;
  readonly replaceExisting: boolean;
  /**
   * Whether a newly replaced holder can still be recorded: only on create, because the
   * physical id that carries the record must not change on update (a new id would make
   * CloudFormation delete the old one, which would detach the triggers).
   */
  readonly mayRecord: boolean;
}

/** One slot that changes. */
export interface SlotChange {
  readonly slot: TriggerSlot;
  readonly from?: SlotHolder;
  readonly to?: SlotHolder;
}

/** The new LambdaConfig, the updated record of replaced holders, and what changes. */
export interface Plan {
  readonly lambdaConfig: LambdaConfigType;
  readonly replaced: SlotMap;
  readonly changes: readonly SlotChange[];
}

/**
 * Decides the new LambdaConfig. Only this resource's slots are touched:
 * - a wanted slot that is empty or holds one of our functions gets our function;
 * - a wanted slot held by another function is a conflict, unless replacing is allowed,
 *   in which case the other function is recorded so that a delete can put it back;
 * - a released slot that still holds one of our functions gets back what it held before
 *   us (or is emptied); a released slot someone else has taken since is left alone.
 */
export function planSlots(input: PlanInput): Plan {
  let config = input.current;
  const replaced: SlotMap = { ...input.replaced };
  const changes: SlotChange[] = [];
  const isOurs = (holder: SlotHolder | undefined) => holder !== undefined && input.ours.has(functionIdentity(holder.lambdaArn));
  const set = (slot: TriggerSlot, from: SlotHolder | undefined, to: SlotHolder | undefined) => {
    if (sameHolder(from, to)) return;
    config = writeSlot(config, slot, to);
    changes.push({ slot, from, to });
  };

  for (const slot of TRIGGER_SLOTS) {
    const holder = readSlot(input.current, slot);
    const want = input.wanted[slot];
    if (want) {
      const foreign = holdersOf(input.current, slot).find((h) => !isOurs(h));
      if (foreign) {
        claimForeignSlot(input, replaced, slot, foreign);
      }
      set(slot, foreign ?? holder, want);
    } else if (input.released.includes(slot) && isOurs(holder)) {
      set(slot, holder, input.replaced[slot]);
    }
  }
  return { lambdaConfig: config, replaced, changes };
}

function claimForeignSlot(input: PlanInput, replaced: SlotMap, slot: TriggerSlot, holder: SlotHolder): void {
  if (!input.replaceExisting) {
    throw new TriggerAttachmentError(
      `The ${slot} trigger of the user pool is held by ${holder.lambdaArn}, which is not a function of this construct. `
      + (slot === VERSIONED_SLOT
        ? 'Cognito keeps one Pre Token Generation function, named by both LambdaConfig.PreTokenGeneration (the legacy '
          + 'trigger) and PreTokenGenerationConfig.LambdaArn, so the construct\'s cannot be added beside it. '
        : '')
      + 'Remove it from the pool, or set replaceExistingTriggers to replace it (it is put back when the construct is removed).',
    );
  }
  if (input.mayRecord) {
    replaced[slot] = holder;
    return;
  }
  const recorded = input.replaced[slot];
  if (recorded && functionIdentity(recorded.lambdaArn) === functionIdentity(holder.lambdaArn)) {
    return; // the function we replaced when created, and will restore: taking it again loses nothing
  }
  throw new TriggerAttachmentError(
    `The ${slot} trigger of the user pool is held by ${holder.lambdaArn}. replaceExistingTriggers can only replace a trigger `
    + 'when the attachment is created, so that it can be restored; remove it from the pool, then deploy again.',
  );
}

/** `<prefix>:<pool id>` and a `;<slot>=<arn>[@<version>]` per replaced slot. */
export function encodePhysicalId(userPoolId: string, replaced: SlotMap): string {
  const entries = TRIGGER_SLOTS.filter((slot) => replaced[slot]).map((slot) => {
    const holder = replaced[slot]!;
    return `;${slot}=${holder.lambdaArn}${holder.lambdaVersion ? `@${holder.lambdaVersion}` : ''}`;
  });
  return `${ATTACH_TRIGGERS.PHYSICAL_ID_PREFIX}:${userPoolId}${entries.join('')}`;
}

/**
 * The pool id and the replaced holders of a physical id, or nothing for an id this
 * handler did not make. Lambda ARNs contain neither `;`, `=` nor `@`.
 */
export function decodePhysicalId(physicalId: string | undefined): { userPoolId: string; replaced: SlotMap } | undefined {
  const prefix = `${ATTACH_TRIGGERS.PHYSICAL_ID_PREFIX}:`;
  if (!physicalId?.startsWith(prefix)) return undefined;
  const [userPoolId, ...entries] = physicalId.slice(prefix.length).split(';');
  const replaced: SlotMap = {};
  for (const entry of entries) {
    const [slot, value] = entry.split('=');
    if (!(TRIGGER_SLOTS as readonly string[]).includes(slot) || !value) return undefined;
    const [lambdaArn, lambdaVersion] = value.split('@');
    replaced[slot as TriggerSlot] = lambdaVersion ? { lambdaArn, lambdaVersion } : { lambdaArn };
  }
  return { userPoolId, replaced };
}
