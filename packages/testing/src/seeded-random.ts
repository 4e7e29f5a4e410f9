/** A seeded pseudo-random source (mulberry32) with the distributions synthetic test data and benchmarks need. */
export interface Random {
  next(): number;
  uniform(low: number, high: number): number;
  int(low: number, high: number): number;
  chance(probability: number): boolean;
  normal(mean?: number, deviation?: number): number;
  pick<T>(items: readonly T[]): T;
  binomial(trials: number, probability: number): number;
  poisson(mean: number): number;
  hex(length: number): string;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (mean = 0, deviation = 1) => {
    const u = Math.max(next(), Number.MIN_VALUE);
    return mean + deviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  const random: Random = {
    next,
    uniform: (low, high) => low + (high - low) * next(),
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    chance: (probability) => next() < probability,
    normal,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    binomial: (trials, probability) => {
      if (trials * probability * (1 - probability) > 25) {
        return Math.max(
          0,
          Math.min(
            trials,
            Math.round(normal(trials * probability, Math.sqrt(trials * probability * (1 - probability)))),
          ),
        );
      }
      let count = 0;
      for (let index = 0; index < trials; index += 1) if (next() < probability) count += 1;
      return count;
    },
    poisson: (mean) => {
      const limit = Math.exp(-mean);
      let product = next();
      let count = 0;
      while (product > limit) {
        product *= next();
        count += 1;
      }
      return count;
    },
    hex: (length) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join(''),
  };
  return random;
}
