import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import type { ImpersonationEventEntry } from '../../../lambda-src/events/impersonation-event';
import { publishEvents, type PublishClients } from '../../../lambda-src/events/publisher';

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
beforeEach(() => {
  eventBridge.reset();
  sqs.reset();
});

const sleeps: number[] = [];
const clients: PublishClients = {
  eventBridge: () => new EventBridgeClient({}),
  sqs: () => new SQSClient({}),
  sleep: async (ms) => { sleeps.push(ms); },
};
const TARGET = { eventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/support', deadLetterQueueUrl: 'https://sqs/dlq', attempts: 3, backoffMs: 200 };
const entry = (n: number): ImpersonationEventEntry => ({ DetailType: 'Impersonation Started', Detail: JSON.stringify({ eventId: `e${n}` }), eventId: `e${n}` });
const idOf = (e: PutEventsRequestEntry | { Detail?: string }) => JSON.parse(e.Detail!).eventId as string;

test('batches of at most 10, to the configured bus, with the construct\'s source', async () => {
  eventBridge.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
  const result = await publishEvents(Array.from({ length: 23 }, (_, i) => entry(i)), TARGET, clients);
  expect(result).toEqual({ published: 23, deadLettered: 0, errorCodes: {} });
  const calls = eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);
  expect(calls.map((c) => c.length)).toEqual([10, 10, 3]);
  expect(calls.flat().every((e) => e.EventBusName === TARGET.eventBusName && e.Source === 'cdk-cognito-impersonation')).toBe(true);
  expect(sqs.calls()).toHaveLength(0);
});

test('only the refused entries are retried, with backoff; the accepted ones are never sent twice', async () => {
  let call = 0;
  eventBridge.on(PutEventsCommand).callsFake((input) => {
    call++;
    // First call: the second entry is throttled; the retry accepts it.
    return { Entries: input.Entries.map((_: unknown, i: number) => (call === 1 && i === 1 ? { ErrorCode: 'ThrottlingException' } : { EventId: 'x' })) };
  });
  sleeps.length = 0;
  const result = await publishEvents([entry(1), entry(2), entry(3)], TARGET, clients);
  expect(result.published).toBe(3);
  expect(eventBridge.commandCalls(PutEventsCommand)[1].args[0].input.Entries!.map(idOf)).toEqual(['e2']);
  expect(sleeps).toEqual([200]);
});

test('refused on every attempt: one dead-letter message per event, replayable as a PutEvents entry', async () => {
  eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'InternalException' }));
  sleeps.length = 0;
  const result = await publishEvents([entry(1), entry(2)], TARGET, clients);
  expect(result).toEqual({ published: 0, deadLettered: 2, errorCodes: { InternalException: 2 } });
  expect(sleeps).toEqual([200, 400]);
  const messages = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
  expect(messages.map((m) => m.QueueUrl)).toEqual(['https://sqs/dlq', 'https://sqs/dlq']);
  expect(messages.map((m) => JSON.parse(m.MessageBody!))).toEqual([1, 2].map((n) => ({
    Source: 'cdk-cognito-impersonation', DetailType: 'Impersonation Started', Detail: JSON.stringify({ eventId: `e${n}` }), EventBusName: TARGET.eventBusName,
  })));
});

test('when the dead-letter queue fails too, the invocation fails (Lambda retries it, the errors alarm goes off)', async () => {
  eventBridge.on(PutEventsCommand).resolves({ Entries: [{ ErrorCode: 'AccessDeniedException' }] });
  sqs.on(SendMessageCommand).rejects(new Error('sqs down'));
  await expect(publishEvents([entry(1)], TARGET, clients)).rejects.toThrow('sqs down');
});

test('under any mix of refusals and failures, each event is published exactly once or dead-lettered exactly once', async () => {
  // Per PutEvents call: throw, or a per-entry accept/refuse pattern.
  const outcome = fc.oneof(fc.constant('throw' as const), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }));
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 25 }), fc.array(outcome, { minLength: 1, maxLength: 12 }), async (n, outcomes) => {
    eventBridge.reset();
    sqs.reset();
    const accepted: string[] = [];
    let call = 0;
    eventBridge.on(PutEventsCommand).callsFake((input) => {
      const o = outcomes[call++ % outcomes.length];
      if (o === 'throw') throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      return {
        Entries: input.Entries.map((e: PutEventsRequestEntry, i: number) => {
          if (!o[i]) return { ErrorCode: 'InternalFailure' };
          accepted.push(idOf(e));
          return { EventId: `id-${idOf(e)}` };
        }),
      };
    });
    const ids = Array.from({ length: n }, (_, i) => `e${i}`);
    const result = await publishEvents(ids.map((_, i) => entry(i)), TARGET, clients);
    const dead = sqs.commandCalls(SendMessageCommand).map((c) => idOf(JSON.parse(c.args[0].input.MessageBody!)));
    expect([...accepted, ...dead].sort()).toEqual([...ids].sort());
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(result.published + result.deadLettered).toBe(n);
    expect(result.deadLettered).toBe(dead.length);
  }), { numRuns: 150 });
});
