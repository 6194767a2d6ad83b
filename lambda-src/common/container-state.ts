/**
 * What a Lambda container keeps between invocations (SDK clients, cached values, the Pre
 * Token Generation trigger's strategy) registers how to forget it here, so that tests and
 * benchmarks start from a cold container with one call instead of one hook per module.
 */

const forgetters = new Set<() => void>();

/** Registers how a module forgets its per-container state. */
export function onContainerReset(forget: () => void): void {
  forgetters.add(forget);
}

/** For tests and benchmarks: forget every client, cached value and per-container setting. */
export function resetContainerState(): void {
  for (const forget of forgetters) forget();
}
