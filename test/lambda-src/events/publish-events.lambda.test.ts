import * as path from 'path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE, auditLine, delivery } from './fixtures';
import { AUDIT_EVENT } from '../../../src/private/contract';

/** The bundled publisher (assets/, built by the projen bundle task), as Lambda runs it. */
const BUNDLE = path.join(__dirname, '..', '..', '..', 'assets', 'lambda-src', 'publish-events.lambda', 'index.js');

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
let handler: (event: unknown) => Promise<void>;
let errors: jest.SpyInstance;

beforeAll(() => {
  process.env.IMPERSONATION_EVENT_BUS = 'support-bus';
  process.env.IMPERSONATION_EVENTS_DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require(BUNDLE).handler;
});
beforeEach(() => {
  eventBridge.reset();
  sqs.reset();
  errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => errors.mockRestore());

const DELIVERY = delivery([
  auditLine('1', { ...BASE, event: AUDIT_EVENT.GRANTED, sessionId: 's1' }),
  auditLine('2', { ...BASE, event: AUDIT_EVENT.SESSIONS_LISTED, sessionCount: 0 }),
  auditLine('3', { ...BASE, event: AUDIT_EVENT.DENIED, denialReason: 'NotAdmin' }),
]);

test('publishes one event per decision to the configured bus', async () => {
  eventBridge.on(PutEventsCommand).callsFake((input) => ({ Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
  await handler(DELIVERY);
  const entries = eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries!);
  expect(entries.map((e) => [e.DetailType, e.EventBusName, JSON.parse(e.Detail!).eventId])).toEqual([
    ['Impersonation Started', 'support-bus', '1'], ['Impersonation Denied', 'support-bus', '3'],
  ]);
  expect(errors).not.toHaveBeenCalled();
});

test('EventBridge refuses: the events are dead-lettered, counted for the alarm, and the invocation succeeds', async () => {
  eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('x'), { name: 'ThrottlingException' }));
  sqs.on(SendMessageCommand).resolves({});
  await expect(handler(DELIVERY)).resolves.toBeUndefined();
  expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
  expect(errors).toHaveBeenCalledWith({ event: 'events.publish_failed', deadLettered: 2, errorCodes: { ThrottlingException: 2 } });
}, 15_000);
