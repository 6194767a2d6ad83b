/**
 * Jest snapshot serializer that replaces asset hashes (64 hex digits, as in
 * `<hash>.zip` S3 keys) with a placeholder, so that snapshots change when the template
 * changes, not whenever a handler's bundle does.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;

export const test = (value: unknown): boolean => typeof value === 'string' && new RegExp(ASSET_HASH.source).test(value);

export const serialize = (
  value: string,
  config: unknown,
  indentation: string,
  depth: number,
  refs: unknown,
  printer: (v: unknown, ...rest: unknown[]) => string,
): string => printer(value.replace(ASSET_HASH, '[ASSET HASH]'), config, indentation, depth, refs);
