import { heldValue, remember } from '../common/cache';

/**
 * The dedicated app client's id as far as this container knows it, without any AWS call:
 * read from the SSM parameter (client-id-parameter.ts), or proven by a verified broker
 * assertion, whose MAC binds it to the client it was signed for. Apart from the SSM reader,
 * so that the Pre Token Generation entry file can ask on an ordinary sign-in's path without
 * loading the AWS SDK.
 */

/** The cache slot of the dedicated client's id. */
export const CLIENT_ID_SLOT = 'dedicated-client-id';

/** The dedicated client's id, if this container has learned it. */
export function knownDedicatedClientId(): string | undefined {
  return heldValue<string>(CLIENT_ID_SLOT);
}

/** Records the id a verified assertion proves. */
export function learnDedicatedClientId(clientId: string): void {
  remember(CLIENT_ID_SLOT, clientId);
}
