import type { Context } from 'aws-lambda';
import { handleExpiry, type EndSessionResult } from './groups/session-ending';

/**
 * Ends a groups session: invoked by the session's EventBridge Scheduler schedule at its
 * expiry with `{ sessionId, adminSub }`, or by an operator with the same JSON to end it
 * early. The session (whose groups, from whom) is read from the session table. See
 * README.md ("groups").
 */
export async function handler(event: unknown, context: Context): Promise<EndSessionResult> {
  return handleExpiry(event, context);
}
