import * as fs from 'fs';
import * as path from 'path';
import { STRATEGIES, opsStack } from './ops-fixtures';
import { QUERY_PLACEHOLDER } from '../src/audit-queries';
import { AUDIT_EVENT } from '../src/private/contract';

const queriesOf = (strategy: string, props = {}) => {
  const { template, stack } = opsStack(strategy, props);
  const t = template();
  const logGroupId = Object.keys(t.findResources('AWS::Logs::LogGroup'))[0];
  const defs = Object.values(t.findResources('AWS::Logs::QueryDefinition')).map((r) => r.Properties);
  return { defs, logGroupId, stack, byName: (suffix: string) => defs.find((d) => d.Name.endsWith(`/${suffix}`))! };
};

describe('saved Logs Insights queries', () => {
  test.each(Object.keys(STRATEGIES))('%s: saved by default in the construct\'s folder, on the audit log group', (strategy) => {
    const { defs, logGroupId } = queriesOf(strategy);
    const names = defs.map((d) => d.Name).sort();
    const expected = ['Denials by reason', 'Impersonations by an admin', 'Impersonations of a user', 'Latest impersonations',
      ...(strategy === 'groups' ? ['Open sessions (groups)'] : [])];
    expect(names).toEqual(expected.map((n) => `cdk-cognito-impersonation/OpsStack/Impersonation/${n}`).sort());
    for (const d of defs) expect(d.LogGroupNames).toEqual([{ Ref: logGroupId }]);
  });

  test('savedQueries: false saves none', () => {
    expect(queriesOf('groups', { savedQueries: false }).defs).toEqual([]);
  });

  test('a user\'s impersonations: every decision about them, by username, sub or the name requested', () => {
    const q = queriesOf('customChallenge').byName('Impersonations of a user').QueryString as string;
    expect(q).toContain(`message.target.username = "${QUERY_PLACEHOLDER}" or message.target.sub = "${QUERY_PLACEHOLDER}"`);
    for (const e of [AUDIT_EVENT.GRANTED, AUDIT_EVENT.DENIED, AUDIT_EVENT.ENDED, AUDIT_EVENT.TOKEN_ISSUED]) expect(q).toContain(`"${e}"`);
    expect(q).toMatch(/\| sort @timestamp desc\n\| limit 1000$/);
  });

  test('an admin\'s impersonations filter on the actor; denials are counted by reason', () => {
    expect(queriesOf('groups').byName('Impersonations by an admin').QueryString)
      .toContain(`filter message.actor.username = "${QUERY_PLACEHOLDER}" or message.actor.sub = "${QUERY_PLACEHOLDER}"`);
    expect(queriesOf('groups').byName('Denials by reason').QueryString)
      .toMatch(/^filter message\.event = "impersonation\.denied"\n\| stats count\(\*\) as denials, .* by message\.denialReason as denialReason/);
  });

  test('groups: open sessions are those whose last event is not their end, filtered after stats', () => {
    const lines = (queriesOf('groups').byName('Open sessions (groups)').QueryString as string).split('\n| ');
    const stats = lines.findIndex((l) => l.startsWith('stats '));
    expect(lines[stats]).toContain('latest(message.event) as lastEvent');
    expect(lines[stats]).toMatch(/by message\.sessionId as sessionId$/);
    expect(lines[stats + 1]).toBe(`filter lastEvent != "${AUDIT_EVENT.ENDED}"`);
    expect(lines.slice(0, stats).join()).toContain(`"${AUDIT_EVENT.END_FAILED}"`); // a failed end leaves it open
  });

  test('every audit field a query reads is one the handlers write (docs/audit-events.md)', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'audit-events.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([a-zA-Z.]+)`(?:, `([a-zA-Z.]+)`)?/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean));
    const { defs } = queriesOf('groups');
    const read = new Set(defs.flatMap((d) => [...(d.QueryString as string).matchAll(/message\.([a-zA-Z.]+)/g)].map((m) => m[1])));
    expect(read.size).toBeGreaterThan(8);
    for (const field of read) {
      expect([field, field.split('.')[0]].some((f) => documented.has(f))).toBe(true);
    }
  });
});
