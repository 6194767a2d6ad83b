import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ENV } from './contract';

/** Lambda refuses a function whose environment variables exceed 4 KB in total. */
export const ENVIRONMENT_LIMIT_BYTES = 4096;
/**
 * A reference resolved at deploy time (an ARN, an id) counts this much in the estimate:
 * a function ARN with a generated name is about 100 to 140 characters.
 */
const REFERENCE_ESTIMATE_BYTES = 128;

/**
 * Fails the synth when a function's environment certainly exceeds Lambda's 4 KB (what is
 * known at synth time alone is too much), and warns when it may (references counted at
 * their usual length), instead of a failed deployment. Sizes are of the JSON encoding of
 * the variables, which is what Lambda stores: an upper bound of its own count.
 */
export function checkEnvironmentSize(fn: lambda.Function, name: string): void {
  fn.node.addValidation({
    validate: () => {
      const resolved = Stack.of(fn).resolve((fn.node.defaultChild as lambda.CfnFunction).environment);
      const variables: Record<string, unknown> = resolved?.variables ?? resolved?.Variables ?? {};
      let known = 2;
      let references = 0;
      let largest = { name: '', bytes: 0 };
      for (const [key, value] of Object.entries(variables)) {
        const literal = typeof value === 'string' && !Token.isUnresolved(value);
        const bytes = Buffer.byteLength(JSON.stringify(key), 'utf8') + 2 + (literal ? Buffer.byteLength(JSON.stringify(value), 'utf8') : 2);
        known += bytes;
        if (!literal) references++;
        if (bytes > largest.bytes) largest = { name: key, bytes };
      }
      const estimate = known + references * REFERENCE_ESTIMATE_BYTES;
      const hint = largest.name === ENV.PROTECTED_GROUPS
        ? ` Most of it is ${ENV.PROTECTED_GROUPS} (${largest.bytes} bytes): the names in adminGroupName and protectedGroupNames. `
          + 'Protect fewer or shorter group names.'
        : largest.name === ENV.APPROVAL_TARGET_GROUPS
          ? ` Most of it is ${ENV.APPROVAL_TARGET_GROUPS} (${largest.bytes} bytes): the names in approval's targetGroups. `
            + 'Name fewer or shorter groups.'
          : ` The largest variable is ${largest.name} (${largest.bytes} bytes).`;
      if (known > ENVIRONMENT_LIMIT_BYTES) {
        return [`CognitoImpersonation: the environment of the ${name} function is at least ${known} bytes, over the 4 KB `
          + `(${ENVIRONMENT_LIMIT_BYTES} bytes) Lambda allows, so the deployment would fail.${hint}`];
      }
      if (estimate > ENVIRONMENT_LIMIT_BYTES) {
        Annotations.of(fn).addWarningV2('cdk-cognito-impersonation:environmentSize',
          `The environment of the ${name} function is about ${estimate} bytes of the 4 KB (${ENVIRONMENT_LIMIT_BYTES} bytes) `
          + `Lambda allows, once its ${references} references are resolved: the deployment may fail.${hint}`);
      }
      return [];
    },
  });
}
