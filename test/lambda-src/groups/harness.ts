import { randomUUID } from 'crypto';
import type { Context } from 'aws-lambda';
import type { FakeWorld } from './fake-world';

/**
 * Runs the groups strategy's handlers against a FakeWorld the way AWS would: the broker
 * invoked with a fresh access token, schedules fired when the clock reaches them (and
 * retried as Lambda retries an asynchronous invocation, then dead-lettered), the sweeper on
 * its rate. Collects the audit events every invocation writes, and what each invocation did.
 */

export type Handler = (event: any, context: Context) => Promise<unknown>;

export interface GroupsHandlers {
  readonly broker: Handler;
  readonly endSession: Handler;
  readonly sweeper?: Handler;
}

/** One audit event as a handler wrote it. */
export type AuditRecord = Record<string, any> & { event: string; requestId?: string; source?: string };

/** What became of one invocation. */
export interface Invocation {
  readonly kind: string;
  readonly requestId: string;
  settled: boolean;
  threw: boolean;
  result?: any;
}

/** Lambda retries a failed asynchronous invocation twice. */
export const ASYNC_ATTEMPTS = 3;

export function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'fake',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fake',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/fake',
    logStreamName: 'fake',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export class Harness {
  readonly events: AuditRecord[] = [];
  readonly invocations: Invocation[] = [];
  /** Schedule inputs whose invocations failed every attempt: what the DLQ would hold. */
  readonly deadLetters: string[] = [];
  /** Failed attempts per schedule name, for the retry budget. */
  private readonly attempts = new Map<string, number>();

  constructor(readonly world: FakeWorld, readonly handlers: GroupsHandlers) {}

  /** Collects audit events instead of printing them (call in beforeEach; jest restores the spies). */
  captureAudit(): void {
    const capture = (...args: unknown[]) => {
      const record = args[0] as AuditRecord | undefined;
      if (record && typeof record === 'object' && typeof record.event === 'string' && 'schemaVersion' in record) {
        this.events.push(record);
      }
    };
    for (const level of ['info', 'warn', 'error', 'log'] as const) {
      jest.spyOn(console, level).mockImplementation(capture);
    }
  }

  private run(kind: string, handler: Handler, event: unknown): { invocation: Invocation; done: Promise<void> } {
    const invocation: Invocation = { kind, requestId: randomUUID(), settled: false, threw: false };
    this.invocations.push(invocation);
    const done = handler(event, lambdaContext(invocation.requestId)).then(
      (result) => {
        invocation.settled = true;
        invocation.result = result;
      },
      (err) => {
        invocation.settled = true;
        invocation.threw = true;
        invocation.result = err;
      },
    );
    return { invocation, done };
  }

  /** Invokes the broker as `username` (with a token naming `sub`, the live one by default). */
  broker(username: string, body: Record<string, unknown>, options: { sub?: string } = {}): { invocation: Invocation; done: Promise<void> } {
    return this.run(`broker:${String(body.action)}`, this.handlers.broker, {
      accessToken: this.world.accessToken(username, options.sub),
      ...body,
    });
  }

  /** Fires every due schedule once (an attempt of its asynchronous invocation). */
  fireDue(): Array<{ invocation: Invocation; done: Promise<void> }> {
    const runs = [];
    for (const schedule of this.world.dueSchedules()) {
      const name = schedule.Name!;
      const tried = this.attempts.get(name) ?? 0;
      if (tried >= ASYNC_ATTEMPTS) continue;
      this.attempts.set(name, tried + 1);
      const run = this.run('endSession', this.handlers.endSession, JSON.parse(schedule.Target!.Input!));
      run.done.then(() => {
        if (run.invocation.threw && tried + 1 >= ASYNC_ATTEMPTS && this.world.schedules.has(name)) {
          this.deadLetters.push(schedule.Target!.Input!);
        }
      }, () => undefined);
      runs.push(run);
    }
    return runs;
  }

  sweep(): { invocation: Invocation; done: Promise<void> } {
    if (!this.handlers.sweeper) throw new Error('no sweeper');
    return this.run('sweeper', this.handlers.sweeper, { source: 'aws.scheduler' });
  }

  /** Audit events of one invocation. */
  eventsOf(invocation: Invocation): AuditRecord[] {
    return this.events.filter((e) => e.requestId === invocation.requestId);
  }
}

/** Lets pending promise callbacks run (no timers involved beyond one macrotask turn). */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Drives a fast-check scheduler one call at a time: every pending invocation gets to its next
 * call before the scheduler picks which call goes next, so that any interleaving can happen.
 * Returns when no call is pending: the runs still unsettled then are dead (they wait on a
 * call that never returns).
 */
export async function drive(s: { waitOne(): Promise<void>; count(): number }): Promise<void> {
  for (;;) {
    await settle();
    if (s.count() === 0) return;
    await s.waitOne();
  }
}
