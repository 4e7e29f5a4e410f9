import type { Parameters as FcParameters } from 'fast-check';

/**
 * The fuzz suite's fast-check settings: a fixed seed, so that a run is reproducible and CI is not red by chance;
 * FUZZ_SEED=<n> (or `random`) explores other inputs, FUZZ_RUNS scales the number of inputs per property.
 */
export function fuzzParameters<T>(runs: number): FcParameters<T> {
  const seedSetting = process.env.FUZZ_SEED;
  const seed =
    seedSetting === 'random' ? Math.floor(Math.random() * 2 ** 31) : seedSetting ? Number(seedSetting) : 20261211;
  const scale = Number(process.env.FUZZ_RUNS_SCALE ?? 1);
  return { seed, numRuns: Math.max(1, Math.round(runs * scale)), endOnFailure: true, verbose: 1 };
}
