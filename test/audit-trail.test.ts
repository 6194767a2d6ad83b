import { Template } from 'aws-cdk-lib/assertions';
import { stackWith } from './helpers';
import { writeAuditEvent, type AuditEvent } from '../lambda-src/common/audit';
import { ImpersonationStrategy } from '../src';
import { AUDIT_EVENT, DENIAL_REASON, SOURCE, STRATEGY } from '../src/private/contract';

/**
 * Evaluates the subset of CloudWatch Logs JSON filter syntax the construct uses
 * (`{ $.a.b = "x" && $.c = "y" }`). Anything else throws, so a new kind of pattern
 * cannot slip through untested.
 */
function matches(pattern: string, record: unknown): boolean {
  const body = /^\{(.*)\}$/.exec(pattern.trim());
  if (!body) throw new Error(`unsupported pattern ${pattern}`);
  return body[1].split('&&').every((term) => {
    const m = /^\s*\$\.([\w.]+)\s*=\s*"([^"]*)"\s*$/.exec(term);
    if (!m) throw new Error(`unsupported term ${term}`);
    const value = m[1].split('.').reduce<any>((obj, key) => obj?.[key], record);
    return value === m[2];
  });
}

/** What the Lambda Node.js runtime writes for `console.info(obj)` with the JSON log format. */
function asLambdaJsonLog(level: string, message: unknown) {
  return { timestamp: new Date().toISOString(), level, requestId: 'req-1', message };
}

/** Writes an event with the handlers' own writer and returns it as it lands in the log group. */
function written(event: AuditEvent) {
  const info = jest.spyOn(console, 'info').mockImplementation(() => {});
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    writeAuditEvent(event);
    const calls = [...info.mock.calls.map((c) => ['INFO', c]), ...warn.mock.calls.map((c) => ['WARN', c])] as Array<[string, unknown[]]>;
    expect(calls).toHaveLength(1);
    const [level, args] = calls[0];
    expect(args).toHaveLength(1); // one argument: the runtime puts it, as an object, under "message"
    return asLambdaJsonLog(level, JSON.parse(JSON.stringify(args[0])));
  } finally {
    info.mockRestore();
    warn.mockRestore();
  }
}

const base = {
  strategy: STRATEGY.PRE_TOKEN_GENERATION,
  source: SOURCE.PRE_TOKEN_GENERATION,
  userPoolId: 'eu-west-1_x',
  actor: { sub: 'a', username: 'admin' },
  target: { requested: 'bob' },
};

describe('metric filters match the audit events as the handlers write them', () => {
  const filters = Object.values(
    stackWith({ strategy: ImpersonationStrategy.preTokenGeneration() }).template.findResources('AWS::Logs::MetricFilter'),
  ).map((r: any) => ({ metric: r.Properties.MetricTransformations[0].MetricName as string, pattern: r.Properties.FilterPattern as string }));
  const metricsFor = (record: unknown) => filters.filter((f) => matches(f.pattern, record)).map((f) => f.metric).sort();

  test('the expected filters exist', () => {
    expect(filters.map((f) => f.metric).sort()).toEqual([
      'ImpersonationDenied', 'ImpersonationDeniedBy-pre-token-generation', 'ImpersonationGranted', 'ProtectedTargetAttempts',
    ]);
  });

  test('a grant counts as granted only', () => {
    expect(metricsFor(written({ ...base, event: AUDIT_EVENT.GRANTED, sessionId: 's' }))).toEqual(['ImpersonationGranted']);
  });

  test('a denial counts as denied and as a refusal of its function', () => {
    expect(metricsFor(written({ ...base, event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.NOT_ADMIN })))
      .toEqual(['ImpersonationDenied', 'ImpersonationDeniedBy-pre-token-generation']);
  });

  test('a protected target also counts as a protected-target attempt', () => {
    expect(metricsFor(written({ ...base, event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.TARGET_PROTECTED })))
      .toEqual(['ImpersonationDenied', 'ImpersonationDeniedBy-pre-token-generation', 'ProtectedTargetAttempts']);
  });

  test('a denial written by another source is not a refusal of the trigger', () => {
    expect(metricsFor(written({ ...base, source: 'broker', event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.NOT_ADMIN })))
      .toEqual(['ImpersonationDenied']);
  });

  test('customChallenge: a challenge failure and a rotation failure count in their own metrics', () => {
    const challenge = stackWith({ strategy: ImpersonationStrategy.customChallenge() }).template;
    const challengeFilters = Object.values(challenge.findResources('AWS::Logs::MetricFilter'))
      .map((r: any) => ({ metric: r.Properties.MetricTransformations[0].MetricName as string, pattern: r.Properties.FilterPattern as string }));
    const metrics = (record: unknown) => challengeFilters.filter((f) => matches(f.pattern, record)).map((f) => f.metric).sort();
    const ccBase = { ...base, strategy: STRATEGY.CUSTOM_CHALLENGE };
    expect(metrics(written({ ...ccBase, source: SOURCE.VERIFY_AUTH_CHALLENGE, event: AUDIT_EVENT.CHALLENGE_FAILED, failureReason: 'BadSignature' })))
      .toEqual(['ChallengeFailures']);
    expect(metrics(written({ ...ccBase, source: SOURCE.ROTATE_KEY, event: AUDIT_EVENT.KEY_ROTATION_FAILED, rotationStep: 'finishSecret' })))
      .toEqual(['KeyRotationFailures']);
    expect(metrics(written({ ...ccBase, source: SOURCE.ROTATE_KEY, event: AUDIT_EVENT.KEY_ROTATED }))).toEqual([]);
    const refusedRefresh = {
      ...ccBase, source: SOURCE.PRE_TOKEN_GENERATION, event: AUDIT_EVENT.DENIED, denialReason: DENIAL_REASON.REFRESH_NOT_ALLOWED,
    };
    expect(metrics(written(refusedRefresh)))
      .toEqual(['ImpersonationDenied', 'ImpersonationDeniedBy-pre-token-generation']);
    expect(metrics(written({ ...ccBase, source: SOURCE.BROKER, event: AUDIT_EVENT.GRANTED, sessionId: 's' }))).toEqual(['ImpersonationGranted']);
  });

  test('an ordinary log line counts as nothing', () => {
    expect(metricsFor(asLambdaJsonLog('INFO', 'some text'))).toEqual([]);
  });

  test('every metric filter is on the audit log group', () => {
    const t: Template = stackWith({ strategy: ImpersonationStrategy.preTokenGeneration() }).template;
    const groupId = Object.keys(t.findResources('AWS::Logs::LogGroup'))[0];
    for (const f of Object.values(t.findResources('AWS::Logs::MetricFilter')) as any[]) {
      expect(f.Properties.LogGroupName).toEqual({ Ref: groupId });
    }
  });
});
