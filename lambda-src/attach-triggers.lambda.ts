import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { type ResponseSender, runCustomResource } from './attach-triggers/cfn-response';
import { encodePhysicalId } from './attach-triggers/trigger-slots';
import { ATTACH_TRIGGERS_PROPERTY } from '../src/private/attach-triggers-contract';

/** Time kept back from Lambda's timeout to answer CloudFormation in any case. */
const ANSWER_RESERVE_MS = 5_000;

/**
 * The custom resource handler, answering through `send` (an HTTPS PUT by default).
 *
 * CloudFormation is answered whatever happens. The attachment code (and the AWS SDK with
 * it) is loaded inside the answered work, so even a failure to load it becomes a FAILED
 * response instead of a stack waiting for an hour.
 */
export function makeHandler(send?: ResponseSender) {
  return async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
    const userPoolId = event.ResourceProperties?.[ATTACH_TRIGGERS_PROPERTY.USER_POOL_ID];
    // A create that fails before it plans attached nothing: the delete CloudFormation
    // sends next finds none of its functions in the pool and changes nothing. One that
    // fails later answers with the plan, which records what it may have replaced.
    let planned = encodePhysicalId(typeof userPoolId === 'string' ? userPoolId : 'unknown', {});
    await runCustomResource(event, async () => {
      // require, not import(): it loads lazily both in the esbuild bundle and under jest.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { attachTriggers } = require('./attach-triggers/trigger-attachment') as typeof import('./attach-triggers/trigger-attachment');
      return attachTriggers(event, { onPlanned: (physicalResourceId) => { planned = physicalResourceId; } });
    }, {
      send,
      deadlineMs: context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS,
      createFailurePhysicalId: () => planned,
      logStreamName: context.logStreamName,
    });
  };
}

/**
 * Custom resource handler: attaches the construct's triggers to a user pool imported by
 * id or ARN, which CloudFormation cannot change. See lambda-src/attach-triggers/trigger-attachment.ts.
 */
export const handler = makeHandler();
