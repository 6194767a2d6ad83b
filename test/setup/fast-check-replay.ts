import * as fc from 'fast-check';

/**
 * Replays a property failure that CI reported: `FC_SEED=<seed> FC_PATH=<path> npx jest <file>`
 * with the seed and path from fast-check's message. Without them every run draws a new seed.
 */
const seed = process.env.FC_SEED;
if (seed !== undefined && seed !== '') {
  const path = process.env.FC_PATH;
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed), ...(path ? { path, endOnFailure: true } : {}) });
}
