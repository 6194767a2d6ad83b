import type { Context } from 'aws-lambda';
import { handleBrokerRequest } from './broker/handle-request';

/**
 * The impersonation broker, invoked by a support console through IAM (`grantImpersonate`).
 * Request: `{ "action": "start", "accessToken": "<admin's Cognito access token>",
 * "target": "<username or sub>", "reason": "<ticket or text>" }`; the groups strategy also
 * offers `end` and `list`. See README.md.
 */
export async function handler(event: unknown, context: Context): Promise<object> {
  return handleBrokerRequest(event, context);
}
