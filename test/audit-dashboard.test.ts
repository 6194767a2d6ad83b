import { Duration } from 'aws-cdk-lib';
import { STRATEGIES, joined, opsStack } from './ops-fixtures';
import { ImpersonationApproval } from '../src';

/** The dashboard's widgets as CloudWatch will read them (tokens as `<token>`). */
function widgetsOf(strategy: string, options = {}, props = {}) {
  const built = opsStack(strategy, props);
  const dashboard = built.impersonation.addDashboard(options);
  const t = built.template();
  const [resource] = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
  const body = JSON.parse(joined(resource.Properties.DashboardBody));
  const widgets = body.widgets as Array<{ type: string; x: number; y: number; width: number; properties: any }>;
  return { ...built, t, dashboard, resource, body, widgets };
}

const titles = (widgets: Array<{ properties: { title?: string } }>) => widgets.map((w) => w.properties.title);

describe('the CloudWatch dashboard', () => {
  test.each(Object.keys(STRATEGIES))('%s: none unless asked for', (strategy) => {
    opsStack(strategy).template().resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  test.each([
    ['preTokenGeneration', []],
    ['customChallenge', ['Challenge failures and key rotation failures', 'Key rotations (latest steps)']],
    ['groups', ['Open sessions (groups)']],
  ])('%s: the widgets, top to bottom and left to right', (strategy, strategyRow) => {
    const { widgets } = widgetsOf(strategy);
    const ordered = [...widgets].sort((a, b) => a.y - b.y || a.x - b.x);
    expect(titles(ordered)).toEqual([
      'Alarms',
      'Impersonations granted and denied', 'Denials by reason', 'Top actors (impersonations granted)',
      'Function errors (refusals excluded)', 'Function throttles',
      ...strategyRow,
      'Latest impersonations',
    ]);
    // Rows fill the width: nothing is cut off or left half empty.
    const rowWidths = new Map<number, number>();
    for (const w of widgets) rowWidths.set(w.y, (rowWidths.get(w.y) ?? 0) + w.width);
    expect([...rowWidths.values()].every((width) => width === 24)).toBe(true);
  });

  test('the alarm widget shows every alarm of the construct', () => {
    const { widgets, impersonation, stack } = widgetsOf('customChallenge');
    const alarmWidget = widgets.find((w) => w.type === 'alarm')!;
    expect(alarmWidget.properties.alarms).toHaveLength(impersonation.alarms.length);
    expect(impersonation.alarms.length).toBeGreaterThan(6);
    expect(stack.resolve(impersonation.alarms.map((a) => a.alarmArn)).length).toBe(alarmWidget.properties.alarms.length);
  });

  test('granted and denied are the construct\'s audit metrics; each function\'s errors and throttles are graphed', () => {
    const { widgets, impersonation } = widgetsOf('groups');
    const graph = (title: string) => widgets.find((w) => w.properties.title === title)!.properties;
    expect(graph('Impersonations granted and denied').metrics).toEqual([
      [impersonation.metricNamespace, 'ImpersonationGranted', { stat: 'Sum' }],
      [impersonation.metricNamespace, 'ImpersonationDenied', { stat: 'Sum' }],
    ].map(([ns, name, o]) => expect.arrayContaining([ns, name, expect.objectContaining(o as object)])));
    expect(graph('Function throttles').metrics).toHaveLength(impersonation.functions.length);
    expect(graph('Function errors (refusals excluded)').metrics.length).toBeGreaterThanOrEqual(impersonation.functions.length);
  });

  test('Logs Insights widgets query the audit log group', () => {
    const { widgets } = widgetsOf('groups');
    const logWidgets = widgets.filter((w) => w.type === 'log');
    expect(logWidgets.map((w) => w.properties.title)).toEqual(expect.arrayContaining(['Latest impersonations', 'Open sessions (groups)']));
    for (const w of logWidgets) expect(w.properties.query).toMatch(/^SOURCE '<token>' \| /);
    const latest = logWidgets.find((w) => w.properties.title === 'Latest impersonations')!;
    expect(latest.properties.query).toContain('filter message.event in ["impersonation.granted", "impersonation.denied", "impersonation.ended"]');
  });

  describe('with the controls of issue 14', () => {
    const APPROVAL = { approval: ImpersonationApproval.required({ approverGroupName: 'support-leads' }) };
    const LIMITS = { limits: { maxStartsPerAdminPerHour: 4 } };
    const row = (widgets: Array<{ y: number; x: number; width: number; properties: { title?: string } }>, title: string) => {
      const y = widgets.find((w) => w.properties.title === title)!.y;
      return widgets.filter((w) => w.y === y).sort((a, b) => a.x - b.x);
    };

    test.each([
      ['approval and limits', { ...APPROVAL, ...LIMITS }, ['Impersonations granted to the busiest admin, per hour', 'Approvals (latest requests and decisions)']],
      ['approval', APPROVAL, ['Approvals (latest requests and decisions)']],
      ['limits', LIMITS, ['Impersonations granted to the busiest admin, per hour']],
    ])('%s: one full row above the latest impersonations', (_name, props, expected) => {
      const { widgets } = widgetsOf('groups', {}, props);
      const controls = row(widgets, expected[0]);
      expect(titles(controls)).toEqual(expected);
      expect(controls.reduce((sum, w) => sum + w.width, 0)).toBe(24);
      expect(controls[0].y).toBeLessThan(widgets.find((w) => w.properties.title === 'Latest impersonations')!.y);
    });

    test('without them, neither widget', () => {
      const { widgets } = widgetsOf('groups');
      expect(titles(widgets)).not.toContain('Approvals (latest requests and decisions)');
      expect(titles(widgets)).not.toContain('Impersonations granted to the busiest admin, per hour');
    });

    test('the busiest admin graph is the unusual-volume alarm\'s metric, with its threshold marked; approvals query the audit log', () => {
      const { widgets, t } = widgetsOf('customChallenge', {}, { ...APPROVAL, ...LIMITS });
      const graph = widgets.find((w) => w.properties.title === 'Impersonations granted to the busiest admin, per hour')!.properties;
      expect(graph.metrics).toEqual([[expect.objectContaining({
        expression: expect.stringMatching(/^INSIGHT_RULE_METRIC\('<token>', 'MaxContributorValue'\)$/),
        label: 'Busiest admin',
        period: 3600,
      })]]);
      expect(graph.annotations.horizontal).toEqual([expect.objectContaining({ value: 4, label: 'Unusual volume' })]);
      const [ruleId] = Object.keys(t.findResources('AWS::CloudWatch::InsightRule'));
      const [dashboard] = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
      expect(JSON.stringify(dashboard.Properties.DashboardBody)).toContain(JSON.stringify({ 'Fn::GetAtt': [ruleId, 'RuleName'] }));
      const approvals = widgets.find((w) => w.properties.title === 'Approvals (latest requests and decisions)')!.properties;
      expect(approvals.query).toMatch(/^SOURCE '<token>' \| /);
      expect(approvals.query).toContain('filter ispresent(message.approvalId)');
    });
  });

  test('a name and an interval; a second dashboard is refused', () => {
    const { resource, body, impersonation } = widgetsOf('preTokenGeneration', { dashboardName: 'support-impersonation', defaultInterval: Duration.hours(3) });
    expect(resource.Properties.DashboardName).toBe('support-impersonation');
    expect(body.start).toBe('-PT3H');
    expect(() => impersonation.addDashboard()).toThrow(/already has a dashboard/);
  });

  test('snapshot (customChallenge with a dashboard)', () => {
    expect(widgetsOf('customChallenge').t.toJSON()).toMatchSnapshot();
  });
});
