import { SchedulerClient } from '@aws-sdk/client-scheduler';

let client: SchedulerClient | undefined;

/** One EventBridge Scheduler client per container, created on first use. */
export function schedulerClient(): SchedulerClient {
  client ??= new SchedulerClient({});
  return client;
}
