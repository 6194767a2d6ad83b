/**
 * Issue 10, items 7 and 8, through the BUNDLED Pre Token Generation trigger: nothing is issued
 * on the dedicated client without the broker's assertion, and a refresh there is refused even
 * while SSM is down, without breaking other clients' refreshes.
 */
import { GetParameterCommand, InternalServerError } from '@aws-sdk/client-ssm';
import { freshContainer } from './kit/bundles';
import { assertionless, customChallengeTriggers, impersonationEvent } from './kit/custom-challenge';
import { AUDIT_EVENT, DENIAL_REASON } from '../../src/private/contract';
import { DEDICATED_CLIENT_ID, KEY_1, OTHER_CLIENT_ID } from '../lambda-src/fixtures/challenge';
import { lambdaContext } from '../lambda-src/fixtures/common';

const REFRESH = 'TokenGeneration_RefreshTokens';
const t = customChallengeTriggers();

describe('item 7: the dedicated client issues nothing without a valid assertion', () => {
  test.each([
    'TokenGeneration_Authentication',
    'TokenGeneration_HostedAuth',
    'TokenGeneration_AuthenticateDevice',
    'TokenGeneration_NewPasswordChallenge',
  ])('%s on the dedicated client without an assertion is refused, without an AWS call', async (triggerSource) => {
    const preToken = freshContainer('pre-token-generation');
    // The container has seen an impersonation sign-in: the verified assertion names the client.
    await preToken(impersonationEvent(KEY_1), lambdaContext());
    t.audit().clear();
    const ssmCalls = t.ssm.commandCalls(GetParameterCommand).length;

    await expect(preToken(assertionless(DEDICATED_CLIENT_ID, triggerSource), lambdaContext())).rejects.toThrow(/Impersonation refused/);
    expect(t.ssm.commandCalls(GetParameterCommand)).toHaveLength(ssmCalls);
    expect(t.audit().events()).toEqual([expect.objectContaining({
      event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.ASSERTION_MISSING, clientId: DEDICATED_CLIENT_ID, triggerSource,
    })]);
  });

  test('a forged assertion on the dedicated client is refused whatever the trigger source', async () => {
    const preToken = freshContainer('pre-token-generation');
    const event = impersonationEvent('f'.repeat(44), { triggerSource: 'TokenGeneration_AuthenticateDevice' });
    await expect(preToken(event, lambdaContext())).rejects.toThrow(/Impersonation refused/);
  });
});

describe('item 8: refresh on the dedicated client fails closed', () => {
  test('with SSM down after the cache period, the last known client id still refuses the refresh', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z'), doNotFake: ['setImmediate', 'nextTick'] });
    const preToken = freshContainer('pre-token-generation');
    await preToken(assertionless(OTHER_CLIENT_ID, REFRESH), lambdaContext());

    jest.setSystemTime(new Date('2026-12-01T10:30:00Z'));
    t.ssm.on(GetParameterCommand).rejects(new InternalServerError({ message: 'SSM is down', $metadata: {} }));

    await expect(preToken(assertionless(DEDICATED_CLIENT_ID, REFRESH), lambdaContext())).rejects.toThrow(/Impersonation refused/);
    // ... and other clients' refreshes still work.
    const other = assertionless(OTHER_CLIENT_ID, REFRESH);
    expect(await preToken(other, lambdaContext())).toBe(other);
  });

  test('with SSM down, a container that verified an impersonation sign-in refuses the refresh', async () => {
    const preToken = freshContainer('pre-token-generation');
    await preToken(impersonationEvent(KEY_1), lambdaContext());
    t.ssm.on(GetParameterCommand).rejects(new InternalServerError({ message: 'SSM is down', $metadata: {} }));
    await expect(preToken(assertionless(DEDICATED_CLIENT_ID, REFRESH), lambdaContext())).rejects.toThrow(/Impersonation refused/);
  });

  test('with SSM down, other clients\' refreshes are never broken', async () => {
    t.ssm.on(GetParameterCommand).rejects(new InternalServerError({ message: 'SSM is down', $metadata: {} }));
    const preToken = freshContainer('pre-token-generation');
    const other = assertionless(OTHER_CLIENT_ID, REFRESH);
    expect(await preToken(other, lambdaContext())).toBe(other);
    expect(t.audit().events()).toEqual([]);
  });
});
