import type { Context } from 'aws-lambda';
import { handleSweep, type SweepResult } from './groups/session-ending';

/**
 * The groups sweeper, invoked by a recurring schedule: ends every session whose expiry was
 * missed and every session a start or end left behind when it died. See README.md ("groups").
 */
export async function handler(_event: unknown, context: Context): Promise<SweepResult> {
  return handleSweep(context);
}
