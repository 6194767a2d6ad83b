import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { CognitoImpersonation, CognitoImpersonationProps } from '../src';

/** The account and region of test stacks: ARNs and service principals resolve to literals. */
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

/** A stack in TEST_ENV, in an app of its own. */
export function testStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: TEST_ENV });
}

/** The construct's props in tests: a strategy, and anything else to change. */
export type FixtureProps = Partial<CognitoImpersonationProps> & Pick<CognitoImpersonationProps, 'strategy'>;

/**
 * A stack with a user pool (`UserPool`) and the construct (`Impersonation`, admin group
 * `support-impersonators`), configured by `props` (a function of the stack when they hold
 * constructs of it), then by `configure`; synthesized.
 */
export function stackWith(
  props: FixtureProps | ((stack: Stack) => FixtureProps),
  configure?: (stack: Stack, impersonation: CognitoImpersonation) => void,
) {
  const stack = testStack();
  const userPool = new cognito.UserPool(stack, 'UserPool');
  const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
    userPool,
    adminGroupName: 'support-impersonators',
    ...typeof props === 'function' ? props(stack) : props,
  });
  configure?.(stack, impersonation);
  /** The logical id of the construct at `path` below the construct. */
  const id = (path: string) => logicalId(stack, childAt(impersonation, path));
  return {
    stack,
    userPool,
    impersonation,
    template: Template.fromStack(stack),
    id,
    /** The logical id of a function of the construct, by its scope (`Broker`). */
    fn: (name: string) => id(`${name}/Function`),
    /** The logical id of a function's role, by the function's scope (`Broker`). */
    role: (name: string) => id(`${name}/Role`),
    /** The user pool's ARN, as the template references it. */
    pool: { 'Fn::GetAtt': [logicalId(stack, userPool), 'Arn'] },
    /** The audit log group's ARN, as the template references it. */
    logs: { 'Fn::GetAtt': [logicalId(stack, impersonation.auditLogGroup), 'Arn'] },
  };
}

/** The cdk-nag AwsSolutions errors and warnings on a stack (`NagStack`, in TEST_ENV) that `configure` fills. */
export function nagFindings(configure: (stack: Stack) => void) {
  const stack = testStack('NagStack');
  configure(stack);
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  const annotations = Annotations.fromStack(stack);
  return {
    stack,
    errors: annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    warnings: annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  };
}

/** The construct at `path` (ids joined by '/', for example `Broker/Function`) below `scope`. */
export function childAt(scope: IConstruct, path: string): IConstruct {
  return path.split('/').reduce((construct, id) => construct.node.findChild(id), scope);
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } } | unknown): string {
  const child = (construct as any).node?.defaultChild ?? construct;
  return stack.getLogicalId(child);
}

/**
 * Throws when the template's resources reference each other in a cycle (Ref, Fn::GetAtt,
 * Fn::Sub or DependsOn): CloudFormation would refuse to deploy it, and CDK does not check.
 */
export function assertAcyclic(template: { [key: string]: any }): void {
  const ids = new Set(Object.keys(template.Resources));
  const edges = new Map<string, Set<string>>();
  const collect = (from: string, value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((v) => collect(from, v));
    } else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        const targets: string[] = [];
        if (key === 'Ref' && typeof v === 'string') {
          targets.push(v);
        } else if (key === 'Fn::GetAtt' && Array.isArray(v)) {
          targets.push(v[0]);
        } else if (key === 'Fn::Sub' && typeof v === 'string') {
          targets.push(...[...v.matchAll(/\$\{([A-Za-z0-9]+)/g)].map((m) => m[1]));
        }
        targets.filter((t) => ids.has(t)).forEach((t) => edges.get(from)!.add(t));
        collect(from, v);
      }
    }
  };
  for (const [id, resource] of Object.entries<any>(template.Resources)) {
    edges.set(id, new Set([resource.DependsOn ?? []].flat().filter((d: string) => ids.has(d))));
    collect(id, resource.Properties ?? {});
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`circular reference: ${[...path, id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const next of edges.get(id)!) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  for (const id of ids) visit(id, []);
}

/** Every statement granted to a role, from every policy attached to it. */
export function statementsOf(template: Template, roleId: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/**
 * A role's grants as action -> resources, for exact comparisons (conditions are checked
 * separately). Every statement must be an Allow.
 */
export function grants(template: Template, roleId: string): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const s of statementsOf(template, roleId)) {
    expect(s.Effect).toBe('Allow');
    for (const action of [s.Action].flat()) {
      out[action] = [...(out[action] ?? []), ...[s.Resource].flat()];
    }
  }
  return out;
}
