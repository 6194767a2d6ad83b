import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClient } from './common/aws-clients';
import { impersonationEventOf } from './events/impersonation-event';
import { auditRecordsOf } from './events/log-batch';
import { publishEvents } from './events/publisher';
import { AUDIT_EVENT, ENV } from '../src/private/contract';

/**
 * Publishes the audit trail's decisions to EventBridge (`Impersonation Started`, `Ended`,
 * `Denied`). Invoked by the audit log group's subscription filter, after the decision was
 * made and answered: a slow or failing publish can never delay or change a decision.
 */
export async function handler(delivery: unknown): Promise<void> {
  const entries = auditRecordsOf(delivery).flatMap((r) => impersonationEventOf(r) ?? []);
  if (entries.length === 0) return;
  const result = await publishEvents(entries, {
    eventBusName: process.env[ENV.EVENT_BUS] ?? 'default',
    deadLetterQueueUrl: process.env[ENV.EVENTS_DEAD_LETTER_QUEUE_URL] ?? '',
    attempts: 3,
    backoffMs: 200,
  }, {
    eventBridge: () => awsClient(EventBridgeClient),
    sqs: () => awsClient(SQSClient),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  if (result.deadLettered > 0) {
    // Not a decision: a line that says why the dead-letter queue (and its alarm) got messages.
    console.error({ event: AUDIT_EVENT.EVENTS_PUBLISH_FAILED, deadLettered: result.deadLettered, errorCodes: result.errorCodes });
  }
}
