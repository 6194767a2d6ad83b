import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledging cdk-nag findings on the construct's own resources, so that stacks using it
 * need no suppression of their own, under both cdk-nag majors:
 *
 * - 2.x reads `Metadata.cdk_nag.rules_to_suppress` of the CloudFormation resource, where
 *   `applies_to` may be a regex;
 * - 3.x is a validation plugin that reads `aws:cdk:acknowledged-rules` construct metadata
 *   (what `Validations.of(x).acknowledge()` writes on aws-cdk-lib >= 2.257) and matches
 *   exact ids only, a finding being `<rule>[<finding>]`. That metadata is written here
 *   directly, so that it works with every aws-cdk-lib the peer range admits.
 */

/** cdk-nag 3's metadata key (`Validations.ACKNOWLEDGED_RULES_METADATA_KEY`). */
const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

/** The rule packs the construct is kept clean under, by their rule id prefix. */
export const COMPLIANCE_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;

/** One acknowledged rule, with the reason that is recorded with it. */
export interface NagRule {
  /** A full rule id, for example `AwsSolutions-L1`. */
  readonly id: string;
  readonly reason: string;
}

/** Acknowledges whole rules (every finding of each) on a resource. */
export function acknowledgeRules(construct: IConstruct, ...rules: NagRule[]): void {
  const resource = cfnResourceOf(construct);
  addV2Suppressions(resource, rules.map((r) => ({ id: r.id, reason: r.reason })));
  resource.node.addMetadata(ACKNOWLEDGED_RULES, Object.fromEntries(rules.map((r) => [r.id, r.reason])));
}

/** The same rule of each compliance pack (NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1). */
export function inCompliancePacks(rule: string, reason: string, packs: readonly string[] = COMPLIANCE_PACKS): NagRule[] {
  return packs.map((pack) => ({ id: `${pack}-${rule}`, reason }));
}

/**
 * Acknowledges AwsSolutions-IAM5 for the wildcard resources of a policy that match
 * `pattern`, anchored with `^` and `$` (matched against cdk-nag's flattened form, for example
 * `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<Group1234>/*`),
 * and nothing else. cdk-nag 3 needs the exact finding, which depends on logical ids and on
 * whether the stack has an account and region: it is computed when the app is validated.
 */
export function acknowledgeWildcardResources(policy: IConstruct, pattern: RegExp, reason: string): void {
  const resource = cfnResourceOf(policy);
  // cdk-nag 2 matches `applies_to` against the finding, which starts with `Resource::`.
  addV2Suppressions(resource, [{ id: 'AwsSolutions-IAM5', reason, applies_to: [{ regex: `/^Resource::${pattern.source.replace(/^\^/, '')}/` }] }]);
  resource.node.addValidation({
    validate: () => {
      const document = Stack.of(resource).resolve((resource as any).policyDocument);
      const findings = [...new Set((document?.Statement ?? [])
        .filter((s: any) => s.Effect === 'Allow')
        .flatMap((s: any) => [s.Resource].flat().map(flattenReference))
        .filter((r: string) => r.includes('*') && pattern.test(r)))];
      if (findings.length > 0) {
        resource.node.addMetadata(ACKNOWLEDGED_RULES, Object.fromEntries(findings.map((f) => [`AwsSolutions-IAM5[Resource::${f}]`, reason])));
      }
      return [];
    },
  });
}

function cfnResourceOf(construct: IConstruct): CfnResource {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`no CloudFormation resource to acknowledge cdk-nag rules on: ${construct.node.path}`);
  }
  return resource;
}

/** Adds to (never replaces) what is already suppressed, as cdk-nag 2's NagSuppressions does. */
function addV2Suppressions(resource: CfnResource, rules: object[]): void {
  const existing = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...rules] });
}

/** cdk-nag's flat form of a resolved CloudFormation value (utils/flatten-cfn-reference). */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  const node = value as Record<string, any>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return items.map(flattenReference).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) return `<${flattenReference(node['Fn::GetAtt'][0])}.${flattenReference(node['Fn::GetAtt'][1])}>`;
  if (node['Fn::ImportValue']) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(value);
}
