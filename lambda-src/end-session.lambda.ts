import type { Context } from 'aws-lambda';
import { handleEndSessionInvocation, type EndSessionResult } from './groups/end-session-invocation';

/**
 * Ends a groups session: invoked by the session's EventBridge Scheduler schedule at its
 * expiry with the session JSON, or by an operator with the same JSON to revoke it early.
 * Removes exactly the groups the session added, signs the admin out globally and deletes
 * the schedule. See README.md ("groups").
 */
export async function handler(event: unknown, context: Context): Promise<EndSessionResult> {
  return handleEndSessionInvocation(event, context);
}
