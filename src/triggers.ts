import * as crypto from 'crypto';
import { Annotations, CfnResource, CustomResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ATTACH_TRIGGERS, ATTACH_TRIGGERS_PROPERTY, type TriggerSlot, VERSIONED_SLOT } from './private/attach-triggers-contract';
import { type HandlerFunctionOptions, INVOCATION, scopeOf } from './private/host';
import { checkUserPool } from './private/user-pool-checks';

/**
 * True for a pool this CDK app defines (CloudFormation owns its LambdaConfig), false for
 * one imported with `UserPool.fromUserPoolId` / `fromUserPoolArn`.
 *
 * Duck-typed rather than `instanceof`: an app can hold two copies of aws-cdk-lib.
 */
export function isOwnedUserPool(userPool: cognito.IUserPool): userPool is cognito.UserPool {
  return typeof (userPool as Partial<cognito.UserPool>).addTrigger === 'function';
}

/**
 * A pool defined in the app, in another stack than `scope` (the common Auth stack / Support
 * stack split). `addTrigger` would make each stack reference the other (the pool names the
 * functions, the functions' policies name the pool): a cyclic reference. Its triggers are
 * attached the way an imported pool's are, from the construct's stack.
 */
function isInAnotherStack(userPool: cognito.IUserPool, scope: Construct): boolean {
  return Stack.of(userPool) !== Stack.of(scope);
}

/** What TriggerWiring needs from the construct that creates it. */
export interface TriggerWiringProps {
  readonly userPool: cognito.IUserPool;
  /** Imported pools: take slots held by other functions (restored on delete). */
  readonly replaceExistingTriggers: boolean;
  /** Imported pools: the role the pool sends SMS with, which UpdateUserPool passes on. */
  readonly userPoolSmsRole?: iam.IRole;
  /** The strategy, as error messages name it. */
  readonly strategyName: string;
  /** The construct's function factory: audit log group, own role, alarms. */
  readonly addFunction: (scope: Construct, id: string, options: HandlerFunctionOptions) => lambda.Function;
}

/** The slot each operation fills. Both Pre Token Generation operations fill the same one. */
const SLOT_OF_OPERATION: Record<string, TriggerSlot> = {
  preSignUp: 'PreSignUp',
  customMessage: 'CustomMessage',
  postConfirmation: 'PostConfirmation',
  preAuthentication: 'PreAuthentication',
  postAuthentication: 'PostAuthentication',
  defineAuthChallenge: 'DefineAuthChallenge',
  createAuthChallenge: 'CreateAuthChallenge',
  verifyAuthChallengeResponse: 'VerifyAuthChallengeResponse',
  preTokenGeneration: 'PreTokenGeneration',
  preTokenGenerationConfig: 'PreTokenGeneration',
  userMigration: 'UserMigration',
};

interface ImportedTrigger {
  readonly slot: TriggerSlot;
  readonly fn: lambda.IFunction;
  readonly lambdaVersion?: string;
}

/**
 * Attaches the strategy's triggers to the pool, created once per CognitoImpersonation.
 *
 * - A pool defined in this app: `UserPool.addTrigger`, so CloudFormation owns the
 *   triggers and the invoke permissions (exactly what CDK users expect).
 * - An imported pool: CloudFormation cannot change it, so every trigger is collected and
 *   one custom resource attaches them all with a single UpdateUserPool that preserves
 *   every other setting (see lambda-src/attach-triggers.lambda.ts). Its properties are
 *   resolved lazily, so triggers attached after it was created are included.
 */
export class TriggerWiring {
  private readonly imported: ImportedTrigger[] = [];
  private readonly permissions = new Map<lambda.IFunction, lambda.CfnPermission>();
  private attachment?: CustomResource;

  constructor(private readonly scope: Construct, private readonly props: TriggerWiringProps) {
    if (isOwnedUserPool(props.userPool) && !isInAnotherStack(props.userPool, scope) && (props.replaceExistingTriggers || props.userPoolSmsRole)) {
      Annotations.of(scope).addWarningV2('cdk-cognito-impersonation:ownedPoolOptions',
        'replaceExistingTriggers and userPoolSmsRole only apply to imported user pools; this pool is defined in the app, '
        + 'so CloudFormation attaches the triggers.');
    }
  }

  /**
   * Attaches `fn` to the slot of `operation`.
   *
   * @param operation the trigger
   * @param fn the function Cognito invokes
   * @param lambdaVersion the event version (Pre Token Generation only)
   */
  public attach(operation: cognito.UserPoolOperation, fn: lambda.IFunction, lambdaVersion?: cognito.LambdaVersion): void {
    const userPool = this.props.userPool;
    if (isOwnedUserPool(userPool) && operation === cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG) {
      checkUserPool(this.scope, userPool, { strategyName: this.props.strategyName, preTokenGenerationVersion: lambdaVersion });
    }
    if (isOwnedUserPool(userPool) && !isInAnotherStack(userPool, this.scope)) {
      userPool.addTrigger(operation, fn, lambdaVersion);
      return;
    }
    const slot = this.slotOf(operation, lambdaVersion);
    if (this.imported.some((t) => t.slot === slot)) {
      throw new Error(`A trigger for the operation ${operation.operationName} already exists.`);
    }
    this.imported.push({
      slot,
      fn,
      lambdaVersion: slot === VERSIONED_SLOT ? lambdaVersion ?? cognito.LambdaVersion.V1_0 : undefined,
    });
    const attachment = this.attachment ?? this.createAttachment();
    attachment.node.addDependency(this.allowCognitoToInvoke(fn));
  }

  private slotOf(operation: cognito.UserPoolOperation, lambdaVersion?: cognito.LambdaVersion): TriggerSlot {
    const slot = SLOT_OF_OPERATION[operation.operationName];
    if (!slot) {
      throw new Error(
        `CognitoImpersonation: the ${operation.operationName} trigger cannot be attached to an imported user pool `
        + '(custom sender triggers need the pool\'s KMS key).',
      );
    }
    // The same rule UserPool.addTrigger applies.
    if (lambdaVersion === cognito.LambdaVersion.V2_0 && operation !== cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG) {
      throw new Error('Only the `PRE_TOKEN_GENERATION_CONFIG` operation supports V2_0 lambda version.');
    }
    return slot;
  }

  /** The custom resource, its function and role: created with the first trigger only. */
  private createAttachment(): CustomResource {
    const userPool = this.props.userPool;
    const scope = new Construct(this.scope, 'TriggerAttachment');
    const fn = this.props.addFunction(scope, 'AttachTriggers', {
      source: ATTACH_TRIGGERS.SOURCE,
      description: 'Attaches the impersonation triggers to an imported Cognito user pool, preserving its settings',
      // Two Cognito calls, retried on throttling: far more than enough, and still well
      // under CloudFormation's wait for an answer.
      timeout: Duration.seconds(60),
      invocation: INVOCATION.CUSTOM_RESOURCE,
    });

    const statements = [new iam.PolicyStatement({
      // Exactly the two calls the handler makes, on this pool only.
      actions: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool'],
      resources: [userPool.userPoolArn],
    })];
    if (this.props.userPoolSmsRole) {
      // UpdateUserPool passes the pool's SMS role on to Cognito again, which IAM checks
      // as iam:PassRole by the caller: only this role, only to Cognito.
      statements.push(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.props.userPoolSmsRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'cognito-idp.amazonaws.com' } },
      }));
    }
    // A separate policy (not the role's default one), so that the custom resource can
    // depend on it: the handler must not run before it may call Cognito.
    const policy = new iam.Policy(scopeOf(fn), 'Policy', { roles: [fn.role!], statements });

    const resource = new CustomResource(scope, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: ATTACH_TRIGGERS.RESOURCE_TYPE,
      properties: {
        [ATTACH_TRIGGERS_PROPERTY.USER_POOL_ID]: userPool.userPoolId,
        [ATTACH_TRIGGERS_PROPERTY.USER_POOL_ARN]: userPool.userPoolArn,
        [ATTACH_TRIGGERS_PROPERTY.REPLACE_EXISTING]: String(this.props.replaceExistingTriggers),
        ...isOwnedUserPool(userPool) ? { [ATTACH_TRIGGERS_PROPERTY.POOL_DEFINITION]: this.definitionOf(userPool) } : {},
        [ATTACH_TRIGGERS_PROPERTY.TRIGGERS]: Lazy.any({
          produce: () => this.imported.map((t) => ({
            Slot: t.slot,
            LambdaArn: t.fn.functionArn,
            ...t.lambdaVersion ? { LambdaVersion: t.lambdaVersion } : {},
          })),
        }),
      },
    });
    resource.node.addDependency(policy);
    this.attachment = resource;
    return resource;
  }

  /**
   * A pool of another stack: a digest of its CloudFormation definition. CloudFormation
   * rewrites the whole pool when its stack changes it, LambdaConfig included, which drops the
   * triggers attached from here; a changed digest makes the attachment run again when this
   * stack is deployed next (`cdk deploy --all` deploys the pool's stack first).
   */
  private definitionOf(userPool: cognito.UserPool): string {
    Annotations.of(this.scope).addWarningV2('cdk-cognito-impersonation:poolInAnotherStack',
      `The user pool is defined in the stack ${Stack.of(userPool).stackName}: its triggers are attached by a custom resource in `
      + `${Stack.of(this.scope).stackName}. When ${Stack.of(userPool).stackName} changes the pool, CloudFormation rewrites its `
      + `triggers; deploy ${Stack.of(this.scope).stackName} after it (cdk deploy --all does) to attach them again.`);
    const pool = userPool.node.defaultChild as CfnResource;
    return Lazy.string({
      produce: () => crypto.createHash('sha256')
        .update(JSON.stringify(Stack.of(pool).resolve((pool as any)._toCloudFormation())))
        .digest('hex'),
    });
  }

  /**
   * Cognito may invoke the function, for this pool only. One permission per function,
   * defined in the function, as `Function.addPermission` does.
   */
  private allowCognitoToInvoke(fn: lambda.IFunction): lambda.CfnPermission {
    const existing = this.permissions.get(fn);
    if (existing) return existing;
    const permission = new lambda.CfnPermission(fn as unknown as Construct, 'CognitoInvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: 'cognito-idp.amazonaws.com',
      sourceArn: this.props.userPool.userPoolArn,
      sourceAccount: this.props.userPool.env.account,
    });
    this.permissions.set(fn, permission);
    return permission;
  }
}
