import { GetParameterCommand, InternalServerError, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { resetContainerState } from '../../../lambda-src/common/container-state';
import { dedicatedClientId } from '../../../lambda-src/custom-challenge/client-id-parameter';
import { CHALLENGE_ENV, CLIENT_ID_PARAMETER, DEDICATED_CLIENT_ID, OTHER_CLIENT_ID, parameterHolds } from '../fixtures/challenge';
import { setImpersonationEnv } from '../fixtures/common';

const ssmMock = mockClient(SSMClient);
const T0 = 1_767_225_600_000;
const FIFTEEN_MINUTES = 15 * 60 * 1000;
let restoreEnv: () => void;

beforeEach(() => {
  ssmMock.reset();
  resetContainerState();
  restoreEnv = setImpersonationEnv(CHALLENGE_ENV);
});

afterEach(() => {
  restoreEnv();
});

afterAll(() => {
  ssmMock.restore();
});

describe('dedicatedClientId', () => {
  it('reads the parameter named by IMPERSONATION_CLIENT_ID_PARAMETER', async () => {
    parameterHolds(ssmMock);

    await expect(dedicatedClientId(T0)).resolves.toBe(DEDICATED_CLIENT_ID);
    expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: CLIENT_ID_PARAMETER }]);
  });

  it('caches the id for 15 minutes, then reads it again', async () => {
    parameterHolds(ssmMock);
    await dedicatedClientId(T0);
    parameterHolds(ssmMock, OTHER_CLIENT_ID);

    await expect(dedicatedClientId(T0 + FIFTEEN_MINUTES - 1)).resolves.toBe(DEDICATED_CLIENT_ID);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);

    await expect(dedicatedClientId(T0 + FIFTEEN_MINUTES)).resolves.toBe(OTHER_CLIENT_ID);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it.each<[string, string | null]>([
    ['empty', ''],
    ['missing from the answer', null],
  ])('refuses a parameter value that is %s', async (_, value) => {
    parameterHolds(ssmMock, value);
    await expect(dedicatedClientId(T0)).rejects.toThrow('the client id parameter is empty');
  });

  it('propagates an SDK failure and caches nothing', async () => {
    ssmMock.on(GetParameterCommand).rejectsOnce(new InternalServerError({ message: 'boom', $metadata: {} }));
    await expect(dedicatedClientId(T0)).rejects.toBeInstanceOf(InternalServerError);

    parameterHolds(ssmMock);
    await expect(dedicatedClientId(T0 + 1)).resolves.toBe(DEDICATED_CLIENT_ID);
  });

  it('refuses to run without the parameter name, with no AWS call', async () => {
    restoreEnv();
    restoreEnv = setImpersonationEnv({ ...CHALLENGE_ENV, CLIENT_ID_PARAMETER: undefined });
    await expect(dedicatedClientId(T0)).rejects.toThrow('IMPERSONATION_CLIENT_ID_PARAMETER is not set');
    expect(ssmMock.calls()).toHaveLength(0);
  });

  it('resetContainerState() forgets the id', async () => {
    parameterHolds(ssmMock);
    await dedicatedClientId(T0);
    resetContainerState();
    await dedicatedClientId(T0);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(2);
  });
});
