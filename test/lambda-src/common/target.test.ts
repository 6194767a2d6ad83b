import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  InternalErrorException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { ImpersonationRefused } from '../../../lambda-src/common/errors';
import { assertTargetAllowed, resolveTarget, type Actor, type TargetUser } from '../../../lambda-src/common/target';
import { DENIAL_REASON } from '../../../src/private/contract';
import { ADMIN, ADMIN_GROUP, PROTECTED_GROUP, TARGET, USER_POOL_ID, adminGetUserOutput, groupsPage, testConfig } from '../fixtures/common';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: 'eu-west-1' });

beforeEach(() => {
  cognitoMock.reset();
});

afterAll(() => {
  cognitoMock.restore();
});

/** The denial reason of a rejected promise or thrown function. */
async function denialOf(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ImpersonationRefused);
    return (err as ImpersonationRefused).denialReason;
  }
}

describe('assertTargetAllowed', () => {
  const actor: Actor = { sub: ADMIN.sub, username: ADMIN.username };
  const target = (overrides: Partial<TargetUser> = {}): TargetUser => ({
    username: TARGET.username,
    sub: TARGET.sub,
    enabled: true,
    groups: ['customers'],
    ...overrides,
  });

  it.each<[string, Actor, TargetUser]>([
    ['an enabled user in unprotected groups', actor, target()],
    ['an enabled user in no group', actor, target({ groups: [] })],
    ['a user whose sub is unknown, with another username', actor, target({ sub: undefined })],
    ['a user when neither sub is known and the usernames differ', { username: ADMIN.username }, target({ sub: undefined })],
    ['a user in a group named like a protected group but in another case', actor, target({ groups: ['Billing-Admins'] })],
  ])('allows %s', (_, who, whom) => {
    expect(() => assertTargetAllowed(who, whom, testConfig())).not.toThrow();
  });

  it.each<[string, Actor, TargetUser, string]>([
    ['the same sub', actor, target({ sub: ADMIN.sub }), DENIAL_REASON.SELF_IMPERSONATION],
    ['the same username', actor, target({ username: ADMIN.username }), DENIAL_REASON.SELF_IMPERSONATION],
    ['the same username, target sub unknown', actor, target({ username: ADMIN.username, sub: undefined }), DENIAL_REASON.SELF_IMPERSONATION],
    ['the same username, actor sub unknown', { username: ADMIN.username }, target({ username: ADMIN.username }), DENIAL_REASON.SELF_IMPERSONATION],
    ['yourself, even when disabled and protected', actor, target({ sub: ADMIN.sub, enabled: false, groups: [ADMIN_GROUP] }),
      DENIAL_REASON.SELF_IMPERSONATION],
    ['a disabled user', actor, target({ enabled: false }), DENIAL_REASON.TARGET_DISABLED],
    ['a disabled user in a protected group', actor, target({ enabled: false, groups: [PROTECTED_GROUP] }), DENIAL_REASON.TARGET_DISABLED],
    ['a member of the admin group', actor, target({ groups: ['customers', ADMIN_GROUP] }), DENIAL_REASON.TARGET_PROTECTED],
    ['a member of a configured protected group', actor, target({ groups: [PROTECTED_GROUP, 'customers'] }), DENIAL_REASON.TARGET_PROTECTED],
  ])('refuses %s', async (_, who, whom, reason) => {
    expect(await denialOf(() => assertTargetAllowed(who, whom, testConfig()))).toBe(reason);
  });

  it('uses the configured protected groups', async () => {
    const config = testConfig({ protectedGroupNames: new Set([ADMIN_GROUP, 'owners']) });
    expect(() => assertTargetAllowed(actor, target({ groups: [PROTECTED_GROUP] }), config)).not.toThrow();
    expect(await denialOf(() => assertTargetAllowed(actor, target({ groups: ['owners'] }), config))).toBe(DENIAL_REASON.TARGET_PROTECTED);
  });
});

describe('resolveTarget', () => {
  it('looks the user up, then lists the groups of the username Cognito returns', async () => {
    cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput());
    cognitoMock.on(AdminListGroupsForUserCommand).resolves(groupsPage(['customers', 'beta-testers']));

    const user = await resolveTarget(client, USER_POOL_ID, TARGET.email);

    expect(user).toEqual({ username: TARGET.username, sub: TARGET.sub, enabled: true, groups: ['customers', 'beta-testers'] });
    const getUser = cognitoMock.commandCalls(AdminGetUserCommand);
    expect(getUser).toHaveLength(1);
    expect(getUser[0].args[0].input).toEqual({ UserPoolId: USER_POOL_ID, Username: TARGET.email });
    const listGroups = cognitoMock.commandCalls(AdminListGroupsForUserCommand);
    expect(listGroups).toHaveLength(1);
    expect(listGroups[0].args[0].input).toEqual({ UserPoolId: USER_POOL_ID, Username: TARGET.username, Limit: 60 });
    expect(cognitoMock.calls().map((call) => call.thisValue)).toEqual([client, client]);
  });

  it('falls back to the requested username when AdminGetUser returns none', async () => {
    cognitoMock.on(AdminGetUserCommand).resolves({ ...adminGetUserOutput(), Username: undefined });
    cognitoMock.on(AdminListGroupsForUserCommand).resolves(groupsPage([]));

    const user = await resolveTarget(client, USER_POOL_ID, 'requested-name');

    expect(user.username).toBe('requested-name');
    expect(cognitoMock.commandCalls(AdminListGroupsForUserCommand)[0].args[0].input.Username).toBe('requested-name');
  });

  it('reads every page of groups, passing each NextToken', async () => {
    cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput());
    cognitoMock.on(AdminListGroupsForUserCommand)
      .resolvesOnce(groupsPage(['g1', 'g2'], 'token-2'))
      .resolvesOnce({ $metadata: {}, NextToken: 'token-3' })
      .resolvesOnce({ $metadata: {}, Groups: [{ GroupName: 'g3' }, { Description: 'a group without a name' }, { GroupName: 'g4' }] });

    const user = await resolveTarget(client, USER_POOL_ID, TARGET.username);

    expect(user.groups).toEqual(['g1', 'g2', 'g3', 'g4']);
    const inputs = cognitoMock.commandCalls(AdminListGroupsForUserCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { UserPoolId: USER_POOL_ID, Username: TARGET.username, Limit: 60, NextToken: undefined },
      { UserPoolId: USER_POOL_ID, Username: TARGET.username, Limit: 60, NextToken: 'token-2' },
      { UserPoolId: USER_POOL_ID, Username: TARGET.username, Limit: 60, NextToken: 'token-3' },
    ]);
  });

  it.each<[string, Array<{ Name: string; Value?: string }> | undefined, string | undefined]>([
    ['the sub attribute', [{ Name: 'email', Value: TARGET.email }, { Name: 'sub', Value: TARGET.sub }], TARGET.sub],
    ['no sub attribute', [{ Name: 'email', Value: TARGET.email }], undefined],
    ['no attributes at all', undefined, undefined],
  ])('extracts the sub from %s', async (_, attributes, sub) => {
    cognitoMock.on(AdminGetUserCommand).resolves({ ...adminGetUserOutput(), UserAttributes: attributes });
    cognitoMock.on(AdminListGroupsForUserCommand).resolves(groupsPage([]));

    expect((await resolveTarget(client, USER_POOL_ID, TARGET.username)).sub).toBe(sub);
  });

  it.each<[boolean | undefined, boolean]>([
    [true, true],
    [false, false],
    [undefined, false],
  ])('Enabled %s -> enabled %s (unknown is treated as disabled)', async (enabled, expected) => {
    cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput({ enabled }));
    cognitoMock.on(AdminListGroupsForUserCommand).resolves(groupsPage([]));

    expect((await resolveTarget(client, USER_POOL_ID, TARGET.username)).enabled).toBe(expected);
  });

  it('turns UserNotFoundException into TargetNotFound, without listing groups', async () => {
    cognitoMock.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));

    expect(await denialOf(() => resolveTarget(client, USER_POOL_ID, 'nobody'))).toBe(DENIAL_REASON.TARGET_NOT_FOUND);
    expect(cognitoMock.commandCalls(AdminListGroupsForUserCommand)).toHaveLength(0);
  });

  it('recognises UserNotFoundException by its name', async () => {
    cognitoMock.on(AdminGetUserCommand).rejects(Object.assign(new Error('gone'), { name: 'UserNotFoundException' }));

    expect(await denialOf(() => resolveTarget(client, USER_POOL_ID, 'nobody'))).toBe(DENIAL_REASON.TARGET_NOT_FOUND);
  });

  it.each<[string, () => void]>([
    ['AdminGetUser throws a service error', () => {
      cognitoMock.on(AdminGetUserCommand).rejects(new InternalErrorException({ message: 'internal', $metadata: {} }));
    }],
    ['AdminGetUser throws a generic error', () => {
      cognitoMock.on(AdminGetUserCommand).rejects(new Error('socket hang up'));
    }],
    ['AdminListGroupsForUser throws', () => {
      cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput());
      cognitoMock.on(AdminListGroupsForUserCommand).rejects(new Error('AccessDeniedException'));
    }],
    ['a later page of AdminListGroupsForUser throws', () => {
      cognitoMock.on(AdminGetUserCommand).resolves(adminGetUserOutput());
      cognitoMock.on(AdminListGroupsForUserCommand).resolvesOnce(groupsPage(['g1'], 'token-2')).rejectsOnce(new Error('Throttling'));
    }],
  ])('turns any other failure into LookupFailed: %s', async (_, arrange) => {
    arrange();
    expect(await denialOf(() => resolveTarget(client, USER_POOL_ID, TARGET.username))).toBe(DENIAL_REASON.LOOKUP_FAILED);
  });
});

describe('resolveTarget page limit', () => {
  it('refuses with LookupFailed instead of paging forever', async () => {
    cognitoMock.on(AdminGetUserCommand).resolves({ Username: 'bob', Enabled: true, UserAttributes: [{ Name: 'sub', Value: 's' }] });
    cognitoMock.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'g' }], NextToken: 'again' });
    await expect(resolveTarget(client, USER_POOL_ID, 'bob')).rejects.toMatchObject({ denialReason: DENIAL_REASON.LOOKUP_FAILED });
    expect(cognitoMock.commandCalls(AdminListGroupsForUserCommand)).toHaveLength(5);
  });
});
