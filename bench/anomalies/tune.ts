// Tuning aid, not a benchmark: the same figures as `pnpm bench anomalies`, on the tuning seeds only, with a sample
// of false positives per signal. `node bench/anomalies/tune.ts [seed...]`
import { ANOMALY_PARAMETERS, signalKinds, type AnomalyParameters } from '@cabc/anomaly';
import { runSeeds, TUNING_SEEDS } from './seeds.ts';
import { qualityTable, sensitivityTable } from './report-tables.ts';

const seeds = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [...TUNING_SEEDS];
// ANOMALY_OVERRIDES='{"changePoint":{"slack":1}}' tries other parameters without editing the package.
const overrides = JSON.parse(process.env.ANOMALY_OVERRIDES ?? '{}') as Record<string, unknown>;
const merged = Object.fromEntries(
  Object.entries(ANOMALY_PARAMETERS).map(([key, value]) => [
    key,
    typeof value === 'object' ? { ...value, ...(overrides[key] as object) } : (overrides[key] ?? value),
  ]),
) as unknown as AnomalyParameters;
const run = runSeeds(seeds, merged);
process.stdout.write(`${qualityTable(run.tally, run.evidence).join('\n')}\n\n`);
process.stdout.write(`${sensitivityTable(run.tally).join('\n')}\n\n`);
process.stdout.write(`clean false positives: ${JSON.stringify(Object.fromEntries(run.cleanFalsePositives))}\n`);
for (const miss of run.missed) process.stdout.write(`MISSED ${JSON.stringify(miss)}\n`);
for (const kind of signalKinds) {
  for (const observation of run.falsePositives.get(kind) ?? []) {
    process.stdout.write(
      `FP ${kind} ${observation.score} ${observation.evidenceIds.join(',')}: ${observation.explanation}\n`,
    );
  }
}
