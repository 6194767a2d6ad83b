import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';

/**
 * cdk-nag under test, whichever major version is installed: 2.x checks through Aspects and
 * reports Annotations; 3.x is a policy validation plugin (`Validations.of(app).addPlugins`)
 * that is run here with `validateScope` after synthesis, as its README advises for tests.
 * The second jest run (`npx projen test:latest`) runs these suites against cdk-nag 3.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- typed for cdk-nag 2; 3.x is loaded untyped */
const nag: any = require('cdk-nag');
export const NAG_MAJOR = Number(String(require('cdk-nag/package.json').version).split('.')[0]);
export const CDK_VERSION: string = require('aws-cdk-lib/package.json').version;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The packs the construct is kept clean under, by their cdk-nag class and rule prefix. */
export const PACKS = [
  { name: 'AwsSolutionsChecks', prefix: 'AwsSolutions' },
  { name: 'NIST80053R5Checks', prefix: 'NIST.800.53.R5' },
  { name: 'HIPAASecurityChecks', prefix: 'HIPAA.Security' },
  { name: 'PCIDSS321Checks', prefix: 'PCI.DSS.321' },
] as const;

export type PackName = (typeof PACKS)[number]['name'];

/** One finding: `<construct path relative to the stack>: <rule id>` (rule id with its finding, if any). */
export type Finding = string;

/** Runs `pack` over every stack of the app built by `build`; returns its findings, sorted. */
export function nagFindings(packName: PackName, build: (app: App) => void): Finding[] {
  const app = new App();
  if (NAG_MAJOR >= 3) {
    const pack = new nag[packName](app);
    build(app);
    app.synth();
    const report = pack.validateScope(app);
    return report.violations.flatMap((v: any) => v.violatingResources.map((r: any) => `${relative(r.constructPath)}: ${v.ruleName}`)).sort();
  }
  Aspects.of(app).add(new nag[packName]());
  build(app);
  app.synth();
  const prefix = PACKS.find((p) => p.name === packName)!.prefix;
  return app.node.findAll().filter(Stack.isStack).flatMap((stack) => {
    const annotations = Annotations.fromStack(stack);
    return [
      ...annotations.findError('*', Match.stringLikeRegexp(`${escape(prefix)}-.*`)),
      ...annotations.findWarning('*', Match.stringLikeRegexp(`${escape(prefix)}-.*`)),
    ].map((m) => `${relative(m.id)}: ${String(m.entry.data).split(':')[0]}`);
  }).sort();
}

/** Acknowledges a rule on a construct (the test's own resources, never the construct's), in either version. */
export function acknowledge(construct: any, id: string, reason: string): void {
  if (NAG_MAJOR >= 3) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('aws-cdk-lib').Validations.of(construct).acknowledge({ id, reason });
  } else {
    nag.NagSuppressions.addResourceSuppressions(construct, [{ id, reason }], true);
  }
}

function relative(path: string): string {
  return path.replace(/^\//, '');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
