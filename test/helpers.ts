import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { IConstruct } from 'constructs';
import { CognitoImpersonation, CognitoImpersonationProps } from '../src';

/** A stack with a user pool and the construct, configured by `props`. */
export function stackWith(props: Partial<CognitoImpersonationProps> & Pick<CognitoImpersonationProps, 'strategy'>) {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const userPool = new cognito.UserPool(stack, 'UserPool');
  const impersonation = new CognitoImpersonation(stack, 'Impersonation', {
    userPool,
    adminGroupName: 'support-impersonators',
    ...props,
  });
  return { app, stack, userPool, impersonation, template: () => Template.fromStack(stack) };
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
