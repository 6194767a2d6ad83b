import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import type { FunctionInvocation } from './host';
import { acknowledgeRules, inCompliancePacks } from './nag';

// What the construct does not do by design, and why, recorded on its resources for cdk-nag
// (AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1). Anything fixed by a
// property (encryptionKey, alarmActions, brokerReservedConcurrency) is left for the user.

const INLINE_POLICY = 'Every role of this construct belongs to one of its functions and is created and deleted with it; '
  + 'an inline policy keeps its permissions one-to-one with that role (the case IAM recommends inline policies for), '
  + 'where a managed policy could be attached to other principals.';
const OUTSIDE_VPC = 'The function calls only AWS APIs (Cognito, Secrets Manager, SSM, EventBridge Scheduler, CloudWatch Logs) '
  + 'over TLS with IAM authorization, and reaches no private resource: a VPC would need NAT or interface endpoints the construct '
  + 'cannot assume, and add latency inside Cognito\'s 5-second trigger limit.';
const RUNTIME = 'Pinned to Node.js 22, the runtime the bundled handlers are built for (esbuild target node22) and tested on; '
  + 'moving to a newer runtime is a release of this library, not a synth-time choice.';

/** The construct's functions and policies: the rules it does not follow by design. */
export function acknowledgeByDesign(scope: IConstruct): void {
  for (const node of scope.node.findAll()) {
    if (node instanceof iam.CfnPolicy) {
      acknowledgeRules(node, ...inCompliancePacks('IAMNoInlinePolicy', INLINE_POLICY));
    } else if (node instanceof lambda.CfnFunction) {
      acknowledgeRules(node, { id: 'AwsSolutions-L1', reason: RUNTIME }, ...inCompliancePacks('LambdaInsideVPC', OUTSIDE_VPC));
    }
  }
}

/** A function's invocation: why it has no dead-letter queue or reserved concurrency, if it has none. */
export function acknowledgeInvocation(fn: lambda.Function, invocation: FunctionInvocation): void {
  const resource = fn.node.defaultChild as CfnResource;
  const packs = ['NIST.800.53.R5', 'HIPAA.Security'];
  if (invocation.asynchronous && invocation.deadLetteredBy) {
    acknowledgeRules(resource, ...inCompliancePacks('LambdaDLQ', `Invoked asynchronously by ${invocation.by}; `
      + `${invocation.deadLetteredBy} (an on-failure destination, which the rule does not read).`, packs));
  }
  if (!invocation.asynchronous) {
    acknowledgeRules(resource, ...inCompliancePacks('LambdaDLQ', `Invoked synchronously by ${invocation.by}: a failure is `
      + 'returned to the caller, and a dead-letter queue only receives events of asynchronous invocations.', packs));
  }
  if (invocation.reservedConcurrency === undefined && invocation.unreservedBecause) {
    acknowledgeRules(resource, ...inCompliancePacks('LambdaConcurrency', invocation.unreservedBecause, packs));
  }
}
