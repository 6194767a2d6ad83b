/**
 * The contract between the construct's trigger attachment for imported pools
 * (src/triggers.ts) and its custom resource handler (lambda-src/attach-triggers.lambda.ts).
 * Not exported from the package's index.
 */
export const ATTACH_TRIGGERS = {
  /** The handler (`lambda-src/attach-triggers.lambda.ts`) and the `source` of its log records. */
  SOURCE: 'attach-triggers',
  RESOURCE_TYPE: 'Custom::CognitoImpersonationTriggers',
  /**
   * Physical ids are `<prefix>:<user pool id>` followed by `;<slot>=<lambda arn>[@<version>]`
   * for each slot whose previous holder the resource replaced (and restores on delete).
   */
  PHYSICAL_ID_PREFIX: 'cognito-impersonation-triggers',
  /** CloudFormation's limit on a physical resource id (1 KB). */
  MAX_PHYSICAL_ID_LENGTH: 1024,
} as const;

/**
 * Properties of the custom resource. CloudFormation hands every scalar to the handler as
 * a string, so the flag is `"true"` or `"false"`.
 */
export const ATTACH_TRIGGERS_PROPERTY = {
  USER_POOL_ID: 'UserPoolId',
  /** The pool's ARN: its region is where the handler calls Cognito. */
  USER_POOL_ARN: 'UserPoolArn',
  REPLACE_EXISTING: 'ReplaceExistingTriggers',
  /** A list of `{ Slot, LambdaArn, LambdaVersion? }`, one per slot. */
  TRIGGERS: 'Triggers',
  /**
   * A pool defined in another stack of the app: a digest of its definition, so that the
   * attachment runs again after that stack rewrote the pool's triggers. Not read by the handler.
   */
  POOL_DEFINITION: 'UserPoolDefinition',
} as const;

/**
 * The trigger slots the custom resource fills: `LambdaConfig` keys that hold one function
 * ARN. `PreTokenGeneration` stands for both `PreTokenGeneration` and
 * `PreTokenGenerationConfig`, which Cognito reports together for the one slot. The custom
 * senders are absent: they need the pool's KMS key and are not this construct's to set.
 */
export const TRIGGER_SLOTS = [
  'PreSignUp',
  'CustomMessage',
  'PostConfirmation',
  'PreAuthentication',
  'PostAuthentication',
  'DefineAuthChallenge',
  'CreateAuthChallenge',
  'VerifyAuthChallengeResponse',
  'PreTokenGeneration',
  'UserMigration',
] as const;

/** One of TRIGGER_SLOTS. */
export type TriggerSlot = (typeof TRIGGER_SLOTS)[number];

/** The only slot whose function has an event version. */
export const VERSIONED_SLOT: TriggerSlot = 'PreTokenGeneration';
