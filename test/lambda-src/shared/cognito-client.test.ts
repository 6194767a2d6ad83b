import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoClient } from '../../../lambda-src/common/aws-clients';

describe('cognitoClient', () => {
  it('creates one client and then reuses it', async () => {
    const first = await cognitoClient();
    const second = await cognitoClient();

    expect(first).toBeInstanceOf(CognitoIdentityProviderClient);
    expect(second).toBe(first);
  });
});
