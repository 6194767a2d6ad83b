import * as fs from 'fs';
import type { Output } from './io';

/** A two-column table of labelled values; empty values are left out. */
export function keyValues(rows: ReadonlyArray<readonly [string, unknown]>): string {
  const shown = rows.filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0));
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('\n') + '\n';
}

/** A table with a header row. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function printJson(out: Output, value: unknown): void {
  out.write(JSON.stringify(value, null, 2) + '\n');
}

/** "in 14 min" / "3 min ago", for a table. */
export function relative(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  return minutes >= 0 ? `${iso} (in ${minutes} min)` : `${iso} (${-minutes} min ago)`;
}

/**
 * Writes tokens readable by the owner only: created with mode 0600, the mode forced again
 * on a file that already existed, and a symbolic link refused rather than followed.
 */
export function writeTokensFile(path: string, tokens: object): void {
  const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants;
  // eslint-disable-next-line no-bitwise -- open(2) flags are a bit set
  const fd = fs.openSync(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, JSON.stringify(tokens, null, 2) + '\n');
  } finally {
    fs.closeSync(fd);
  }
}
