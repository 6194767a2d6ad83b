import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { impersonationEventOf } from './events/impersonation-event';
import { auditRecordsOf } from './events/log-batch';
import { publishEvents, type PublishClients } from './events/publisher';

/**
 * Publishes the audit trail's decisions to EventBridge (`Impersonation Started`, `Ended`,
 * `Denied`). Invoked by the audit log group's subscription filter, after the decision was
 * made and answered: a slow or failing publish can never delay or change a decision.
 */
export async function handler(delivery: unknown): Promise<void> {
  const entries = auditRecordsOf(delivery).flatMap((r) => impersonationEventOf(r) ?? []);
  if (entries.length === 0) return;
  const result = await publishEvents(entries, {
    eventBusName: process.env.IMPERSONATION_EVENT_BUS ?? 'default',
    deadLetterQueueUrl: process.env.IMPERSONATION_EVENTS_DLQ_URL ?? '',
    attempts: 3,
    backoffMs: 200,
  }, CLIENTS);
  if (result.deadLettered > 0) {
    // The construct's metric filter counts this event; its alarm says events were not delivered.
    console.error({ event: 'events.publish_failed', deadLettered: result.deadLettered, errorCodes: result.errorCodes });
  }
}

let eventBridge: EventBridgeClient | undefined;
let sqs: SQSClient | undefined;
const CLIENTS: PublishClients = {
  eventBridge: () => (eventBridge ??= new EventBridgeClient({})),
  sqs: () => (sqs ??= new SQSClient({})),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
