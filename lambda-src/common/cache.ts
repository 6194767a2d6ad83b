import { onContainerReset } from './container-state';

/**
 * Values a container keeps between invocations instead of asking AWS again (the dedicated
 * client's id, the signing keys, the client secret, the access-token verifier), in the
 * spirit of Powertools' ExpirableValue. A value that failed to load is never cached: the
 * next call tries again.
 */

/** A cached value, for whom it holds, and when it was stored. */
class ExpirableValue<T> {
  constructor(
    public readonly value: T,
    private readonly key: string | undefined,
    private readonly storedAt: number,
  ) {}

  /** Read at every use, so that a changed maximum age applies at once. */
  public isFreshFor(key: string | undefined, maxAgeMs: number, now: number): boolean {
    return this.key === key && now - this.storedAt < maxAgeMs;
  }
}

/** How a value is cached. */
export interface CacheOptions {
  /** The value holds only for this key (a pool id, a client id): another key replaces it. */
  readonly key?: string;
  /** How long the value is used, in milliseconds; for the life of the container by default. */
  readonly maxAgeMs?: number;
  /** The current time, in epoch milliseconds. */
  readonly now?: number;
}

const values = new Map<string, ExpirableValue<unknown>>();
const loadCounts = new Map<string, number>();
onContainerReset(() => {
  values.clear();
  loadCounts.clear();
});

function fresh<T>(slot: string, options: CacheOptions, now: number): T | undefined {
  const held = values.get(slot);
  return held?.isFreshFor(options.key, options.maxAgeMs ?? Infinity, now) ? held.value as T : undefined;
}

function store<T>(slot: string, value: T, options: CacheOptions, now: number): T {
  values.set(slot, new ExpirableValue(value, options.key, now));
  loadCounts.set(slot, (loadCounts.get(slot) ?? 0) + 1);
  return value;
}

/** The value in `slot`, loaded (asynchronously) when there is none fresh for `options.key`. */
export async function cachedAsync<T>(slot: string, load: () => Promise<T>, options: CacheOptions = {}): Promise<T> {
  const now = options.now ?? Date.now();
  const held = fresh<T>(slot, options, now);
  if (held !== undefined) return held;
  return store(slot, await load(), options, now);
}

/** The value in `slot`, created when there is none fresh for `options.key`. */
export function cached<T>(slot: string, create: () => T, options: CacheOptions = {}): T {
  const now = options.now ?? Date.now();
  const held = fresh<T>(slot, options, now);
  if (held !== undefined) return held;
  return store(slot, create(), options, now);
}

/** For tests and benchmarks: how often `slot` was loaded since the container (state) started. */
export function loadCount(slot: string): number {
  return loadCounts.get(slot) ?? 0;
}
