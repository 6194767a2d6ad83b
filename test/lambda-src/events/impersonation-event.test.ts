import { BASE, auditLine, delivery } from './fixtures';
import { impersonationEventOf } from '../../../lambda-src/events/impersonation-event';
import { auditRecordsOf } from '../../../lambda-src/events/log-batch';
import { AUDIT_EVENT, EVENTBRIDGE } from '../../../src/private/contract';

const entriesOf = (d: unknown) => auditRecordsOf(d).flatMap((r) => impersonationEventOf(r) ?? []);

describe('which audit events become EventBridge events', () => {
  test('one per start, end, denial and approval request; none for anything else', () => {
    const entries = entriesOf(delivery([
      auditLine('1', { ...BASE, event: AUDIT_EVENT.GRANTED, sessionId: 's1', target: { username: 'bob' } }),
      auditLine('2', { ...BASE, event: AUDIT_EVENT.DENIED, denialReason: 'TargetProtected' }),
      auditLine('3', { ...BASE, event: AUDIT_EVENT.ENDED, cause: 'expired', sessionId: 's1', groupsRemoved: ['customers'] }),
      auditLine('4', { ...BASE, event: AUDIT_EVENT.ENDED, cause: 'explicit', alreadyEnded: true, groupsRemoved: [] }),
      auditLine('5', { ...BASE, event: AUDIT_EVENT.TOKEN_ISSUED, sessionId: 's2' }),
      auditLine('6', { ...BASE, event: AUDIT_EVENT.SESSIONS_LISTED, sessionCount: 1 }),
      auditLine('7', { ...BASE, event: AUDIT_EVENT.CHALLENGE_FAILED }),
      auditLine('8', { ...BASE, event: AUDIT_EVENT.END_FAILED }),
      auditLine('11', { ...BASE, event: AUDIT_EVENT.APPROVAL_REQUESTED, approvalId: 'ap-1', target: { username: 'bob' } }),
      auditLine('12', { ...BASE, event: AUDIT_EVENT.APPROVED, approvalId: 'ap-1' }),
      auditLine('13', { ...BASE, event: AUDIT_EVENT.REJECTED, approvalId: 'ap-2' }),
      auditLine('14', { ...BASE, event: AUDIT_EVENT.APPROVALS_LISTED, approvalCount: 1 }),
      { id: '9', message: 'not json at all' },
      { id: '10', message: JSON.stringify({ level: 'ERROR', message: 'a plain log message' }) },
    ]));
    expect(entries.map((e) => [e.eventId, e.DetailType])).toEqual([
      ['1', 'Impersonation Started'], ['2', 'Impersonation Denied'], ['3', 'Impersonation Ended'], ['11', 'Impersonation Approval Requested'],
    ]);
    expect(Object.values(EVENTBRIDGE.DETAIL_TYPE).sort())
      .toEqual(['Impersonation Approval Requested', 'Impersonation Denied', 'Impersonation Ended', 'Impersonation Started']);
  });

  test('a control message carries no event', () => {
    expect(entriesOf(delivery([auditLine('1', { ...BASE, event: AUDIT_EVENT.GRANTED })], 'CONTROL_MESSAGE'))).toEqual([]);
    expect(entriesOf({})).toEqual([]);
  });

  test('the detail: the schema version, the log event id, the decision\'s fields; not the function\'s internals', () => {
    const [entry] = entriesOf(delivery([auditLine('36712873961', {
      ...BASE,
      event: AUDIT_EVENT.GRANTED,
      action: 'start',
      sessionId: 's1',
      target: { requested: 'bob', sub: 'b-sub', username: 'bob' },
      reason: 'SUP-1',
      groupsAdded: ['customers'],
      startedAt: 't0',
      expiresAt: 't1',
      triggerSource: 'x',
    })]));
    expect(JSON.parse(entry.Detail)).toEqual({
      schemaVersion: 1,
      eventId: '36712873961',
      time: '2026-11-22T10:15:30.122Z',
      strategy: 'groups',
      userPoolId: 'eu-west-1_Example',
      requestId: 'r-1',
      action: 'start',
      sessionId: 's1',
      actor: { sub: 'a-sub', username: 'alice' },
      target: { requested: 'bob', sub: 'b-sub', username: 'bob' },
      reason: 'SUP-1',
      groupsAdded: ['customers'],
      startedAt: 't0',
      expiresAt: 't1',
    });
    expect(entry.Time).toEqual(new Date('2026-11-22T10:15:30.122Z'));
  });

  test('approval: the request names the approval for the approvers; a start names its approval and approver', () => {
    const [requested, granted] = entriesOf(delivery([
      auditLine('1', {
        ...BASE,
        event: AUDIT_EVENT.APPROVAL_REQUESTED,
        action: 'start',
        approvalId: 'ap-1',
        target: { sub: 'b-sub', username: 'bob' },
        reason: 'SUP-1',
        expiresAt: 't1',
      }),
      auditLine('2', {
        ...BASE, event: AUDIT_EVENT.GRANTED, action: 'start', approvalId: 'ap-1', approver: { sub: 'p-sub', username: 'paula' }, sessionId: 's1',
      }),
    ]));
    expect(requested.DetailType).toBe('Impersonation Approval Requested');
    expect(JSON.parse(requested.Detail)).toMatchObject({
      approvalId: 'ap-1', actor: { username: 'alice' }, target: { username: 'bob' }, reason: 'SUP-1', expiresAt: 't1',
    });
    expect(JSON.parse(granted.Detail)).toMatchObject({ approvalId: 'ap-1', approver: { sub: 'p-sub', username: 'paula' } });
  });
});
