import * as https from 'https';
import type {
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceResponse,
} from 'aws-lambda';

/** What a custom resource's work returns on success. */
export interface CustomResourceResult {
  readonly physicalResourceId: string;
  /** Attributes for `Fn::GetAtt`. Ids and names only: CloudFormation shows them. */
  readonly data?: Record<string, string>;
}

/** Delivers the response body to the pre-signed `ResponseURL`. Injected in tests. */
export type ResponseSender = (responseUrl: string, body: string) => Promise<void>;

/** How `runCustomResource` answers. */
export interface RunOptions {
  readonly send?: ResponseSender;
  /** Answer FAILED after this many milliseconds of work, before Lambda's own timeout. */
  readonly deadlineMs?: number;
  /**
   * The physical id of a failed Create, which has none yet; asked for when it fails, so
   * that work which got as far as planning can answer with what it planned.
   */
  readonly createFailurePhysicalId: () => string;
  /** Named in the reason of a failure, where the details are logged. */
  readonly logStreamName?: string;
  /** Wait before retrying a delivery, multiplied by the attempt number. */
  readonly retryDelayMs?: number;
}

/** CloudFormation shows at most this much of a reason; the whole response must stay under 4 KB. */
const MAX_REASON_LENGTH = 1000;

/**
 * Runs a custom resource's work and always answers CloudFormation, also when the work
 * throws, takes too long or cannot even be loaded: an unanswered request keeps the stack
 * waiting for an hour.
 *
 * The reason of a failure is the error's name and message only, never the event: its
 * `ResponseURL` is a pre-signed URL that anyone holding it could answer with.
 */
export async function runCustomResource(
  event: CloudFormationCustomResourceEvent,
  work: () => Promise<CustomResourceResult>,
  options: RunOptions,
): Promise<void> {
  const send = options.send ?? httpsPut;
  let response: CloudFormationCustomResourceResponse;
  try {
    const result = await withDeadline(work(), options.deadlineMs);
    response = buildResponse(event, 'SUCCESS', result.physicalResourceId, { data: result.data });
  } catch (err) {
    console.error({ message: 'custom resource failed', requestType: event.RequestType, error: describeError(err) });
    const physicalResourceId = event.RequestType === 'Create' ? options.createFailurePhysicalId() : event.PhysicalResourceId;
    response = buildResponse(event, 'FAILED', physicalResourceId, { reason: reasonFor(err, options.logStreamName) });
  }
  // If it cannot be delivered, the invocation fails: CloudFormation invokes asynchronously,
  // so Lambda runs it again, and every step of the work is idempotent.
  await sendWithRetry(send, event.ResponseURL, JSON.stringify(response), 3, options.retryDelayMs);
}

/** The response object CloudFormation expects. */
export function buildResponse(
  event: CloudFormationCustomResourceEvent,
  status: 'SUCCESS' | 'FAILED',
  physicalResourceId: string,
  extra: { reason?: string; data?: Record<string, string> } = {},
): CloudFormationCustomResourceResponse {
  const common = {
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: extra.data ?? {},
  };
  return status === 'SUCCESS'
    ? { Status: 'SUCCESS', Reason: extra.reason, ...common }
    : { Status: 'FAILED', Reason: extra.reason ?? 'Failed', ...common };
}

/** `<ErrorName>: <message>`, bounded, with where to read more. */
export function reasonFor(err: unknown, logStreamName?: string): string {
  const where = logStreamName ? ` (details in log stream ${logStreamName})` : '';
  const text = err instanceof Error ? `${err.name}: ${err.message}` : 'Unexpected failure';
  const room = MAX_REASON_LENGTH - where.length;
  return (text.length > room ? `${text.slice(0, room - 1)}…` : text) + where;
}

/**
 * HTTPS PUT of the body to the pre-signed URL. The empty content type is part of what
 * the URL was signed for.
 *
 * @param request `https.request`; tests pass `http.request` with a local server
 */
export function httpsPut(
  responseUrl: string,
  body: string,
  request: typeof https.request = https.request,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(responseUrl, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve();
        } else {
          reject(new Error(`the response URL answered HTTP ${status}`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from the response URL within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A lost response leaves the stack hanging: try a few times before giving up. */
export async function sendWithRetry(send: ResponseSender, url: string, body: string, attempts = 3, delayMs = 500): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send(url, body);
      return;
    } catch (err) {
      // Never log the URL: it is a credential for answering this request.
      console.error({ message: 'could not deliver the custom resource response', attempt, error: describeError(err) });
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, delayMs * attempt));
    }
  }
}

function withDeadline<T>(work: Promise<T>, deadlineMs: number | undefined): Promise<T> {
  if (deadlineMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`no result within ${deadlineMs} ms`);
      err.name = 'TimeoutError';
      reject(err);
    }, Math.max(deadlineMs, 0));
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function describeError(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Unknown', message: String(err) };
}
