import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { awsClient } from '../../../lambda-src/common/aws-clients';
import { resetContainerState } from '../../../lambda-src/common/container-state';

describe('awsClient', () => {
  it('creates one client and then reuses it', () => {
    const first = awsClient(CognitoIdentityProviderClient);
    const second = awsClient(CognitoIdentityProviderClient);

    expect(first).toBeInstanceOf(CognitoIdentityProviderClient);
    expect(second).toBe(first);
  });

  it('keeps one client per client class', () => {
    const scheduler = awsClient(SchedulerClient);

    expect(scheduler).toBeInstanceOf(SchedulerClient);
    expect(scheduler).not.toBe(awsClient(CognitoIdentityProviderClient));
    expect(awsClient(SchedulerClient)).toBe(scheduler);
  });

  it('resetContainerState() forgets the clients: the next use creates a new one', () => {
    const before = awsClient(CognitoIdentityProviderClient);
    resetContainerState();

    const after = awsClient(CognitoIdentityProviderClient);
    expect(after).toBeInstanceOf(CognitoIdentityProviderClient);
    expect(after).not.toBe(before);
  });
});
