/**
 * Adding claims to Pre Token Generation responses, for both event versions.
 */

/** The parts of a Pre Token Generation event (V1 or V2) this path reads and writes. */
export interface PreTokenEvent {
  readonly version: string;
  readonly triggerSource: string;
  readonly userPoolId: string;
  readonly userName: string;
  readonly callerContext: { readonly clientId: string };
  readonly request: {
    readonly userAttributes: Record<string, string>;
    readonly groupConfiguration: { readonly groupsToOverride?: string[] };
    readonly clientMetadata?: Record<string, string>;
  };
  response: Record<string, any>;
}

/**
 * Adds one claim. V2 events (version "2" and later) carry object claims in the ID and
 * access tokens; V1 events can only add string claims to the ID token, so an object is
 * JSON-encoded. Claims already in the response are kept.
 */
export function addClaim(event: PreTokenEvent, claimName: string, claim: object): void {
  if (event.version === '1') {
    const details = event.response.claimsOverrideDetails ?? {};
    event.response.claimsOverrideDetails = {
      ...details,
      claimsToAddOrOverride: { ...details.claimsToAddOrOverride, [claimName]: JSON.stringify(claim) },
    };
    return;
  }
  const details = event.response.claimsAndScopeOverrideDetails ?? {};
  const withClaim = (generation: any) => ({
    ...generation,
    claimsToAddOrOverride: { ...generation?.claimsToAddOrOverride, [claimName]: claim },
  });
  event.response.claimsAndScopeOverrideDetails = {
    ...details,
    idTokenGeneration: withClaim(details.idTokenGeneration),
    accessTokenGeneration: withClaim(details.accessTokenGeneration),
  };
}
