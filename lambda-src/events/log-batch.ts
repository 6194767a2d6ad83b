import { gunzipSync } from 'zlib';

/** One audit event as it arrived through the subscription filter, with CloudWatch Logs' id for it. */
export interface AuditRecord {
  /** CloudWatch Logs' id of the log event: unique, and the same on a redelivery. */
  readonly id: string;
  readonly event: Record<string, unknown>;
}

interface LogsPayload {
  readonly messageType?: string;
  readonly logEvents?: ReadonlyArray<{ readonly id?: string; readonly message?: string }>;
}

/**
 * Decodes a CloudWatch Logs subscription delivery (`awslogs.data`: base64 gzip of JSON) into
 * the audit events it carries. The functions log in Lambda's JSON format, so each line is the
 * runtime's envelope with the event under `message`. Lines that are not audit events (a
 * CONTROL_MESSAGE, plain text) are skipped: they are no decision.
 */
export function auditRecordsOf(delivery: unknown): AuditRecord[] {
  const data = (delivery as { awslogs?: { data?: unknown } })?.awslogs?.data;
  if (typeof data !== 'string') return [];
  const payload = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as LogsPayload;
  if (payload.messageType !== 'DATA_MESSAGE') return [];
  const records: AuditRecord[] = [];
  for (const line of payload.logEvents ?? []) {
    let envelope: { message?: unknown };
    try {
      envelope = JSON.parse(line.message ?? '');
    } catch {
      continue;
    }
    const event = envelope?.message;
    if (line.id && event && typeof event === 'object' && typeof (event as { event?: unknown }).event === 'string') {
      records.push({ id: line.id, event: event as Record<string, unknown> });
    }
  }
  return records;
}
