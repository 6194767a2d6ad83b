import { Token } from 'aws-cdk-lib';

/**
 * Throws unless `value` (when given and known at synth time) is a whole number from `min`
 * to `max`; `owner` is what the user called (`CognitoImpersonation`, a strategy factory).
 */
export function checkWholeNumber(owner: string, name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max)) {
    throw new Error(`${owner}: ${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}
