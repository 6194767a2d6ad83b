import { writeAuditEvent, type AuditEvent } from '../../../lambda-src/common/audit';
import { ImpersonationRefused } from '../../../lambda-src/common/errors';
import { AUDIT_EVENT, AUDIT_SCHEMA_VERSION, DENIAL_REASON, SOURCE, STRATEGY } from '../../../src/private/contract';
import { USER_POOL_ID } from '../fixtures/common';

let info: jest.SpyInstance;
let warn: jest.SpyInstance;

beforeEach(() => {
  info = jest.spyOn(console, 'info').mockImplementation(() => {});
  warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  jest.restoreAllMocks();
});

const base = {
  strategy: STRATEGY.PRE_TOKEN_GENERATION,
  source: SOURCE.PRE_TOKEN_GENERATION,
  userPoolId: USER_POOL_ID,
  actor: { sub: 'actor-sub', username: 'alice' },
};

describe('writeAuditEvent', () => {
  it('writes a granted event once, with console.info, with schema version and time', () => {
    const event: AuditEvent = { ...base, event: AUDIT_EVENT.GRANTED, sessionId: 'session-1' };

    writeAuditEvent(event, new Date('2026-01-02T03:04:05.678Z'));

    expect(warn).not.toHaveBeenCalled();
    expect(info).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith({ schemaVersion: AUDIT_SCHEMA_VERSION, time: '2026-01-02T03:04:05.678Z', ...event });
  });

  it('writes a denied event once, with console.warn', () => {
    const event: AuditEvent = { ...base, event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.NOT_ADMIN };

    writeAuditEvent(event, new Date('2026-01-02T03:04:05.678Z'));

    expect(info).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({ schemaVersion: 1, time: '2026-01-02T03:04:05.678Z', ...event });
  });

  it('stamps the current time by default', () => {
    const before = Date.now();
    writeAuditEvent({ ...base, event: AUDIT_EVENT.GRANTED });
    const after = Date.now();

    const time = Date.parse(info.mock.calls[0][0].time);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(after);
  });
});

describe('ImpersonationRefused', () => {
  it('names only the reason code', () => {
    const error = new ImpersonationRefused(DENIAL_REASON.TARGET_PROTECTED);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ImpersonationRefused');
    expect(error.message).toBe('Impersonation refused: TargetProtected');
    expect(error.denialReason).toBe(DENIAL_REASON.TARGET_PROTECTED);
  });
});
