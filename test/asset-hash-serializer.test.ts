import { serialize, test as matchesHash } from './asset-hash-serializer';

const hash = 'ab'.repeat(32);

test('recognises strings holding an asset hash, and only those', () => {
  expect(matchesHash(`${hash}.zip`)).toBe(true);
  expect(matchesHash('ab'.repeat(31))).toBe(false);
  expect(matchesHash(42)).toBe(false);
});

test('replaces every hash in the string and leaves the rest', () => {
  const printed = serialize(`s3://bucket/${hash}.zip and ${hash}`, {}, '', 0, [], (v) => String(v));
  expect(printed).toBe('s3://bucket/[ASSET HASH].zip and [ASSET HASH]');
});
