/** tinybench, loaded the way an ES module must be from CommonJS, and the numbers we keep. */

export interface Measured {
  /** Mean time per call, in microseconds. */
  readonly meanUs: number;
  /** Median time per call, in microseconds: robust to the odd slow sample. */
  readonly p50Us: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rmePercent: number;
  readonly samples: number;
}

export interface BenchOptions {
  readonly time?: number;
  readonly iterations?: number;
  readonly warmup?: boolean;
}

/**
 * Runs `tasks` in one tinybench run (so that a baseline and its subjects share the machine's
 * state) and returns their statistics. `callsPerIteration` divides out batching: a tiny
 * function is called many times per sample so that timer resolution does not dominate.
 */
export async function measure(
  tasks: Record<string, () => unknown | Promise<unknown>>,
  options: BenchOptions = {},
  callsPerIteration = 1,
): Promise<Record<string, Measured>> {
  const { Bench } = await import('tinybench');
  const bench = new Bench({ time: options.time ?? 400, iterations: options.iterations ?? 64, warmup: options.warmup ?? true });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const out: Record<string, Measured> = {};
  for (const task of bench.tasks) {
    const result = task.result as any;
    if (!result?.latency) throw new Error(`benchmark ${task.name} failed: ${result?.error ?? result?.state}`);
    out[task.name] = {
      meanUs: (result.latency.mean * 1000) / callsPerIteration,
      p50Us: (result.latency.p50 * 1000) / callsPerIteration,
      rmePercent: result.latency.rme,
      samples: result.latency.samplesCount,
    };
  }
  return out;
}

export function ratio(subject: Measured, baseline: Measured, statistic: 'meanUs' | 'p50Us' = 'meanUs'): number {
  return Math.round((subject[statistic] / baseline[statistic]) * 100) / 100;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
