import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ImpersonationEventEntry } from './impersonation-event';
import { EVENTBRIDGE } from '../../src/private/contract';

/** Where and how to publish. */
export interface PublishTarget {
  readonly eventBusName: string;
  /** The queue an event goes to when EventBridge keeps refusing it, for replay. */
  readonly deadLetterQueueUrl: string;
  /** PutEvents attempts per event before it is dead-lettered. */
  readonly attempts: number;
  /** Wait before the second attempt; doubled for each later one. */
  readonly backoffMs: number;
}

export interface PublishClients {
  readonly eventBridge: () => EventBridgeClient;
  readonly sqs: () => SQSClient;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface PublishResult {
  readonly published: number;
  /** Events EventBridge refused every time: each is now one message in the dead-letter queue. */
  readonly deadLettered: number;
  /** Why, per error code (PutEvents' ErrorCode, or the SDK error's name). */
  readonly errorCodes: Readonly<Record<string, number>>;
}

/** PutEvents takes at most 10 entries. */
const BATCH = 10;

/**
 * Publishes each event once: a batch's refused entries (and only those) are retried with
 * backoff, so an accepted event is never sent twice by this function; an event refused on
 * every attempt goes to the dead-letter queue. Throws only when the dead-letter queue cannot
 * be written either (the invocation then fails and Lambda retries it: see README).
 */
export async function publishEvents(
  entries: readonly ImpersonationEventEntry[], target: PublishTarget, clients: PublishClients,
): Promise<PublishResult> {
  const errorCodes: Record<string, number> = {};
  let pending = [...entries];
  for (let attempt = 1; attempt <= target.attempts && pending.length > 0; attempt++) {
    if (attempt > 1) await clients.sleep(target.backoffMs * 2 ** (attempt - 2));
    const refused: ImpersonationEventEntry[] = [];
    for (let i = 0; i < pending.length; i += BATCH) {
      refused.push(...await putBatch(pending.slice(i, i + BATCH), target, clients, attempt === target.attempts ? errorCodes : undefined));
    }
    pending = refused;
  }
  if (pending.length > 0) {
    const sqs = clients.sqs();
    for (const entry of pending) {
      // One message per event, in the shape PutEvents takes, so that a redrive is one call each.
      await sqs.send(new SendMessageCommand({
        QueueUrl: target.deadLetterQueueUrl,
        MessageBody: JSON.stringify({
          Source: EVENTBRIDGE.SOURCE,
          DetailType: entry.DetailType,
          Detail: entry.Detail,
          Time: entry.Time?.toISOString(),
          EventBusName: target.eventBusName,
        }),
      }));
    }
  }
  return { published: entries.length - pending.length, deadLettered: pending.length, errorCodes };
}

/** One PutEvents call; returns the entries it refused, counting why on the last attempt. */
async function putBatch(
  batch: readonly ImpersonationEventEntry[], target: PublishTarget, clients: PublishClients, codes?: Record<string, number>,
): Promise<ImpersonationEventEntry[]> {
  const count = (code: string, n = 1) => { if (codes) codes[code] = (codes[code] ?? 0) + n; };
  try {
    const out = await clients.eventBridge().send(new PutEventsCommand({
      Entries: batch.map((e) => ({
        Source: EVENTBRIDGE.SOURCE, DetailType: e.DetailType, Detail: e.Detail, Time: e.Time, EventBusName: target.eventBusName,
      })),
    }));
    // Results are in request order; an entry without an EventId was not accepted.
    return batch.filter((_, i) => {
      const result = out.Entries?.[i];
      if (result?.EventId && !result.ErrorCode) return false;
      count(result?.ErrorCode ?? 'NoResult');
      return true;
    });
  } catch (err) {
    count((err as Error)?.name ?? 'Error', batch.length);
    return [...batch];
  }
}
