import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { type ResponseSender, runCustomResource } from './attach-triggers/cfn-response';

/** Time kept back from Lambda's timeout to answer CloudFormation in any case. */
const ANSWER_RESERVE_MS = 5_000;
/** The resource has nothing of its own: one physical id for its whole life. */
const PHYSICAL_ID = 'end-all-sessions';

/**
 * The custom resource that ends every groups session when the construct is deleted (create
 * and update do nothing). CloudFormation is answered whatever happens; a session that could
 * not be ended fails the deletion, so that it can be retried instead of leaving groups behind.
 */
export function makeHandler(send?: ResponseSender, sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))) {
  return async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
    await runCustomResource(event, async () => {
      if (event.RequestType === 'Delete') {
        // require, not import(): it loads lazily both in the esbuild bundle and under jest.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { endAllSessions } = require('./groups/session-ending') as typeof import('./groups/session-ending');
        await endAllSessions(context, sleep);
      }
      return { physicalResourceId: PHYSICAL_ID };
    }, {
      send,
      deadlineMs: context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS,
      createFailurePhysicalId: () => PHYSICAL_ID,
      logStreamName: context.logStreamName,
    });
  };
}

export const handler = makeHandler();
