import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

let client: CognitoIdentityProviderClient | undefined;

/**
 * One client per container, created on first use. This module (and so the SDK) is
 * loaded only with the impersonation path, never by an ordinary sign-in.
 */
export async function cognitoClient(): Promise<CognitoIdentityProviderClient> {
  if (!client) {
    client = new CognitoIdentityProviderClient({});
  }
  return client;
}
