import { gzipSync } from 'zlib';

/** A CloudWatch Logs subscription delivery of these log lines, as Lambda receives it. */
export function delivery(lines: Array<{ id: string; message: string }>, messageType = 'DATA_MESSAGE') {
  const payload = {
    messageType,
    owner: '123456789012',
    logGroup: '/aws/impersonation/audit',
    logStream: '2026/11/22/[$LATEST]abc',
    subscriptionFilters: ['EventsPublisher'],
    logEvents: lines.map((l) => ({ ...l, timestamp: 1 })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64') } };
}

/** A log line of Lambda's JSON format carrying an audit event. */
export function auditLine(id: string, event: Record<string, unknown>) {
  return { id, message: JSON.stringify({ timestamp: '2026-11-22T10:15:30.123Z', level: 'INFO', requestId: 'r-1', message: event }) };
}

export const BASE = {
  schemaVersion: 1,
  time: '2026-11-22T10:15:30.122Z',
  strategy: 'groups',
  source: 'broker',
  userPoolId: 'eu-west-1_Example',
  requestId: 'r-1',
  actor: { sub: 'a-sub', username: 'alice' },
};
