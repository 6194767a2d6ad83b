import { randomBytes } from 'crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { parseKey } from './signing-keys';
import { AUDIT_EVENT, ENV, SOURCE, STRATEGY } from '../../src/private/contract';
import { auditWriter } from '../common/audit';
import { awsClient } from '../common/aws-clients';
import { errorNameOf } from '../common/errors';

/** What Secrets Manager sends a rotation function. */
export interface RotationEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

/** A new key: 32 random bytes from the OS CSPRNG, base64 (44 characters). */
export function newKeyValue(): string {
  return JSON.stringify({ key: randomBytes(32).toString('base64') });
}

/**
 * One rotation step. Refuses to touch any secret but the construct's own, or a version
 * that is not staged for this rotation. A failed step is audited and rethrown, so that
 * Secrets Manager records the rotation as failed (and the rotation alarm goes off).
 */
export async function rotateSigningKey(event: RotationEvent, context: Pick<Context, 'awsRequestId'>): Promise<void> {
  const sm = awsClient(SecretsManagerClient);
  const write = auditWriter({
    strategy: STRATEGY.CUSTOM_CHALLENGE,
    source: SOURCE.ROTATE_KEY,
    userPoolId: process.env[ENV.USER_POOL_ID] ?? '',
    requestId: context.awsRequestId,
  });
  const audit = (type: typeof AUDIT_EVENT.KEY_ROTATED | typeof AUDIT_EVENT.KEY_ROTATION_FAILED, extra: { failureReason?: string } = {}) =>
    write({ event: type, rotationStep: event?.Step, versionId: event?.ClientRequestToken, ...extra });
  try {
    const { Step: step, SecretId: secretId, ClientRequestToken: token } = event;
    if (secretId !== process.env[ENV.SECRET_ARN]) throw new RotationError('NotOurSecret');

    const described = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    if (!described.RotationEnabled) throw new RotationError('RotationDisabled');
    const stages = described.VersionIdsToStages?.[token];
    if (!stages) throw new RotationError('UnknownVersion');
    if (stages.includes('AWSCURRENT')) return; // this rotation already finished
    if (!stages.includes('AWSPENDING')) throw new RotationError('VersionNotPending');

    switch (step) {
      case 'createSecret':
        if (!(await pendingExists(sm, secretId, token))) {
          await sm.send(new PutSecretValueCommand({
            SecretId: secretId, ClientRequestToken: token, SecretString: newKeyValue(), VersionStages: ['AWSPENDING'],
          }));
        }
        return;
      case 'setSecret':
        // The key lives only in this secret: there is no other system to update.
        return;
      case 'testSecret': {
        const pending = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }));
        try {
          parseKey(pending.SecretString);
        } catch {
          throw new RotationError('InvalidPendingKey');
        }
        return;
      }
      case 'finishSecret': {
        const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
        await sm.send(new UpdateSecretVersionStageCommand({
          SecretId: secretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current,
        }));
        audit(AUDIT_EVENT.KEY_ROTATED);
        return;
      }
      default:
        throw new RotationError('UnknownStep');
    }
  } catch (err) {
    audit(AUDIT_EVENT.KEY_ROTATION_FAILED, { failureReason: err instanceof RotationError ? err.reason : 'SecretsManagerError' });
    // The SDK's message names the secret and version, never a value.
    throw err;
  }
}

async function pendingExists(sm: SecretsManagerClient, secretId: string, token: string): Promise<boolean> {
  try {
    await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: 'AWSPENDING' }));
    return true;
  } catch (err) {
    if (errorNameOf(err) === 'ResourceNotFoundException') return false;
    throw err;
  }
}

class RotationError extends Error {
  constructor(public readonly reason: string) {
    super(`Key rotation refused: ${reason}`);
  }
}
