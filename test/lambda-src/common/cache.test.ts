import { cached, cachedAsync, loadCount } from '../../../lambda-src/common/cache';
import { resetContainerState } from '../../../lambda-src/common/container-state';

const T0 = 1_767_225_600_000;
const MINUTE = 60_000;

beforeEach(() => {
  resetContainerState();
});

describe('cachedAsync', () => {
  it('loads once and serves the value while it is younger than maxAgeMs', async () => {
    const load = jest.fn().mockResolvedValueOnce('first').mockResolvedValueOnce('second');

    await expect(cachedAsync('slot', load, { maxAgeMs: MINUTE, now: T0 })).resolves.toBe('first');
    await expect(cachedAsync('slot', load, { maxAgeMs: MINUTE, now: T0 + MINUTE - 1 })).resolves.toBe('first');
    expect(load).toHaveBeenCalledTimes(1);

    await expect(cachedAsync('slot', load, { maxAgeMs: MINUTE, now: T0 + MINUTE })).resolves.toBe('second');
    expect(load).toHaveBeenCalledTimes(2);
    expect(loadCount('slot')).toBe(2);
  });

  it('reads maxAgeMs at every use: a shorter one expires a value already cached', async () => {
    const load = jest.fn().mockResolvedValueOnce('first').mockResolvedValueOnce('second');
    await cachedAsync('slot', load, { maxAgeMs: 10 * MINUTE, now: T0 });

    await expect(cachedAsync('slot', load, { maxAgeMs: MINUTE, now: T0 + 2 * MINUTE })).resolves.toBe('second');
  });

  it('never caches a failed load: the next call tries again', async () => {
    const load = jest.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValueOnce('value');

    await expect(cachedAsync('slot', load, { now: T0 })).rejects.toThrow('throttled');
    expect(loadCount('slot')).toBe(0);
    await expect(cachedAsync('slot', load, { now: T0 })).resolves.toBe('value');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('a value holds for its key only: another key replaces it', async () => {
    let loads = 0;
    const load = async () => `value-${++loads}`;

    await expect(cachedAsync('slot', load, { key: 'a' })).resolves.toBe('value-1');
    await expect(cachedAsync('slot', load, { key: 'a' })).resolves.toBe('value-1');
    await expect(cachedAsync('slot', load, { key: 'b' })).resolves.toBe('value-2');
    await expect(cachedAsync('slot', load, { key: 'a' })).resolves.toBe('value-3');
  });

  it('keeps slots apart', async () => {
    await cachedAsync('one', async () => 1);
    await expect(cachedAsync('two', async () => 2)).resolves.toBe(2);
    expect([loadCount('one'), loadCount('two')]).toEqual([1, 1]);
  });
});

describe('cached', () => {
  it('creates once per key, for the life of the container by default', () => {
    let creations = 0;
    const create = jest.fn(() => ({ creation: ++creations }));

    const first = cached('verifier', create, { key: 'pool-1', now: T0 });
    expect(cached('verifier', create, { key: 'pool-1', now: T0 + 365 * 24 * 60 * MINUTE })).toBe(first);
    expect(cached('verifier', create, { key: 'pool-2' })).not.toBe(first);
    expect(create).toHaveBeenCalledTimes(2);
  });
});

describe('resetContainerState', () => {
  it('forgets every cached value and load count', async () => {
    await cachedAsync('slot', async () => 'old');
    resetContainerState();

    expect(loadCount('slot')).toBe(0);
    await expect(cachedAsync('slot', async () => 'new')).resolves.toBe('new');
  });
});
