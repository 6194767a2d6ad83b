import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AUDIT_EVENT, STRATEGY } from './private/contract';

/**
 * The Logs Insights field of an audit event field: Lambda's JSON log format puts the event
 * under `message`, and Logs Insights discovers its fields as `message.<path>`.
 */
function f(path: string): string {
  return `message.${path}`;
}

const quoted = (values: readonly string[]) => `[${values.map((v) => `"${v}"`).join(', ')}]`;

/** What a query lists of each impersonation event, in this order. */
const EVENT_FIELDS = 'fields @timestamp, ' + [
  ['event', 'event'], ['strategy', 'strategy'], ['actor.username', 'admin'], ['target.username', 'target'],
  ['target.requested', 'requested'], ['reason', 'reason'], ['denialReason', 'denialReason'], ['cause', 'cause'],
  ['sessionId', 'sessionId'], ['expiresAt', 'expiresAt'],
].map(([path, name]) => `${f(path)} as ${name}`).join(', ');

/** Every event about one impersonation: its start, its refusal, its end, its tokens. */
const IS_IMPERSONATION = `filter ${f('event')} in ${quoted([AUDIT_EVENT.GRANTED, AUDIT_EVENT.DENIED, AUDIT_EVENT.ENDED, AUDIT_EVENT.TOKEN_ISSUED])}`;

/**
 * The placeholder a query about one person carries: Logs Insights has no parameters, so
 * the auditor replaces it before running.
 */
export const QUERY_PLACEHOLDER = 'REPLACE_ME';

/**
 * A query given as its lines: QueryString orders its parts itself (filter always before
 * stats), and a filter on the result of stats is what "still open" needs.
 */
class QueryLines extends logs.QueryString {
  constructor(private readonly lines: readonly string[]) {
    super();
  }

  public toString(): string {
    return this.lines.join('\n| ');
  }
}

/** The saved queries, by the name they are saved under (inside the construct's folder). */
export function auditQueries(strategy: string, options: { approval?: boolean } = {}): Record<string, logs.QueryString> {
  const queries: Record<string, logs.QueryString> = {
    'Impersonations of a user': new QueryLines([
      EVENT_FIELDS,
      IS_IMPERSONATION,
      `filter ${f('target.username')} = "${QUERY_PLACEHOLDER}" or ${f('target.sub')} = "${QUERY_PLACEHOLDER}"`
        + ` or ${f('target.requested')} = "${QUERY_PLACEHOLDER}"`,
      'sort @timestamp desc',
      'limit 1000',
    ]),
    'Impersonations by an admin': new QueryLines([
      EVENT_FIELDS,
      IS_IMPERSONATION,
      `filter ${f('actor.username')} = "${QUERY_PLACEHOLDER}" or ${f('actor.sub')} = "${QUERY_PLACEHOLDER}"`,
      'sort @timestamp desc',
      'limit 1000',
    ]),
    'Denials by reason': new QueryLines([
      `filter ${f('event')} = "${AUDIT_EVENT.DENIED}"`,
      `stats count(*) as denials, count_distinct(${f('actor.sub')}) as admins by ${f('denialReason')} as denialReason, ${f('strategy')} as strategy`,
      'sort denials desc',
    ]),
    'Latest impersonations': latestImpersonations(),
  };
  if (strategy === STRATEGY.GROUPS) queries['Open sessions (groups)'] = openSessions();
  if (options.approval) queries['Approvals (four-eyes)'] = approvals();
  return queries;
}

/**
 * approval: every event naming an approval request (requested, decided, listed refusals, the
 * start that used it), newest first: who asked, who decided, for whom and why.
 */
export function approvals(limit = 1000): logs.QueryString {
  return new QueryLines([
    'fields @timestamp, ' + [
      ['event', 'event'], ['approvalId', 'approvalId'], ['actor.username', 'actor'], ['requester.username', 'requester'],
      ['approver.username', 'approver'], ['target.username', 'target'], ['reason', 'reason'], ['denialReason', 'denialReason'],
      ['rejectionNote', 'rejectionNote'], ['completeBy', 'completeBy'],
    ].map(([path, name]) => `${f(path)} as ${name}`).join(', '),
    `filter ispresent(${f('approvalId')})`,
    'sort @timestamp desc',
    `limit ${limit}`,
  ]);
}

/** The latest starts, ends and denials, newest first. */
export function latestImpersonations(limit = 100): logs.QueryString {
  return new QueryLines([
    EVENT_FIELDS,
    `filter ${f('event')} in ${quoted([AUDIT_EVENT.GRANTED, AUDIT_EVENT.DENIED, AUDIT_EVENT.ENDED])}`,
    'sort @timestamp desc',
    `limit ${limit}`,
  ]);
}

/** Denials counted by reason (the dashboard's bar chart). */
export function denialsByReason(): logs.QueryString {
  return new QueryLines([
    `filter ${f('event')} = "${AUDIT_EVENT.DENIED}"`,
    `stats count(*) as denials by ${f('denialReason')}`,
    'sort denials desc',
  ]);
}

/** The admins with the most impersonations granted (the dashboard's bar chart). */
export function topActors(limit = 10): logs.QueryString {
  return new QueryLines([
    `filter ${f('event')} = "${AUDIT_EVENT.GRANTED}"`,
    `stats count(*) as impersonations by ${f('actor.username')}`,
    'sort impersonations desc',
    `limit ${limit}`,
  ]);
}

/** customChallenge: the latest key rotation steps, failed or not. */
export function keyRotations(limit = 20): logs.QueryString {
  return new QueryLines([
    `fields @timestamp, ${f('event')} as event, ${f('rotationStep')} as step, ${f('versionId')} as versionId`,
    `filter ${f('event')} in ${quoted([AUDIT_EVENT.KEY_ROTATED, AUDIT_EVENT.KEY_ROTATION_FAILED])}`,
    'sort @timestamp desc',
    `limit ${limit}`,
  ]);
}

/**
 * groups: sessions whose last event is not their end (a start, or a failed end): open, or
 * overdue. Run it over a range longer than the strategy's maxDuration, so that each open
 * session's start is inside it.
 */
export function openSessions(): logs.QueryString {
  return new QueryLines([
    `filter ${f('strategy')} = "${STRATEGY.GROUPS}" and ispresent(${f('sessionId')})`,
    `filter ${f('event')} in ${quoted([AUDIT_EVENT.GRANTED, AUDIT_EVENT.ENDED, AUDIT_EVENT.END_FAILED])}`,
    `stats latest(${f('event')}) as lastEvent, earliest(${f('actor.username')}) as admin, earliest(${f('target.username')}) as target, `
      + `earliest(${f('reason')}) as reason, latest(${f('expiresAt')}) as expiresAt, earliest(@timestamp) as startedAt by ${f('sessionId')} as sessionId`,
    `filter lastEvent != "${AUDIT_EVENT.ENDED}"`,
    'sort expiresAt asc',
  ]);
}

/**
 * Saves the audit queries on the log group, in the Logs Insights folder
 * `cdk-cognito-impersonation/<construct path>` (a `/` in a name makes a folder).
 */
export function saveAuditQueries(
  scope: Construct,
  logGroup: logs.ILogGroup,
  strategy: string,
  options: { approval?: boolean } = {},
): logs.QueryDefinition[] {
  const queries = new Construct(scope, 'SavedQueries');
  return Object.entries(auditQueries(strategy, options)).map(([name, queryString]) =>
    new logs.QueryDefinition(queries, name.replace(/[^A-Za-z]/g, ''), {
      queryDefinitionName: `cdk-cognito-impersonation/${scope.node.path}/${name}`,
      queryString,
      logGroups: [logGroup],
    }));
}
