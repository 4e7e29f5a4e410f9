import type { MeasurementFeatures } from '../evidence-features.ts';
import { subjectsFingerprint } from '../fingerprint.ts';
import type { AnomalyParameters } from '../parameters.ts';
import { pushBounded, sortedValues } from '../robust-statistics.ts';
import { scoreOf, shown } from '../score.ts';
import type { Fingerprint, KindState, RunState, SeriesState } from '../state.ts';
import type { AnomalyEvidence, Observation } from '../types.ts';

/**
 * The same measurement values, to the last digit, as an earlier evidence of the kind that claims other data (another
 * pipeline run, other subject digests, other raw output). How surprising that is comes from the ToE's own history:
 * for each metric, the share of pairs of window values that are equal (with one pseudo-count each way, Laplace), and
 * the product over the metrics times the number of fingerprints compared is the expected number of chance matches.
 * A deterministic pipeline that re-evaluates the same model on the same data repeats itself all the time, and so
 * never reaches the alarm.
 */
export function detectRepeatedMeasurements(
  evidence: AnomalyEvidence,
  fingerprint: MeasurementFeatures['fingerprint'],
  kindState: KindState,
  series: SeriesState,
  runs: readonly RunState[],
  observedAt: number,
  parameters: AnomalyParameters,
): Observation | undefined {
  if (!fingerprint) return undefined;
  const current = {
    id: evidence.id,
    hash: fingerprint.hash,
    run: evidence.predicate.producer.pipelineRunId ?? null,
    subjects: subjectsFingerprint(evidence),
    raw: evidence.predicate.raw?.digest.sha256 ?? null,
    observedAt,
  };
  const compared = kindState.fingerprints.length;
  const stored = kindState.fingerprints.findLast(
    (earlier) => earlier[1] === current.hash && claimsOtherData(unpack(earlier), current),
  );
  const { id, hash, run, subjects, raw } = current;
  pushBounded(kindState.fingerprints, [id, hash, run, subjects, raw, observedAt], parameters.repeated.ring);
  if (!stored) return undefined;
  const match = unpack(stored);

  const chance = fingerprint.metrics.reduce((product, metric) => product * repeatShare(series, metric), 1);
  const expected = chance * compared;
  if (expected > parameters.repeated.alarm) return undefined;

  const kind = evidence.predicate.kind;
  const differences = [
    current.run !== match.run && `pipeline run ${current.run ?? '(none)'} instead of ${match.run ?? '(none)'}`,
    current.subjects !== match.subjects && 'other subject digests',
    current.raw !== null && current.raw === match.raw && 'the very same raw tool output',
  ].filter(Boolean);
  const dataChange = runs.find((run) => run.run === current.run)?.dataChanges[0];
  return {
    signal: 'repeated_measurements',
    score: scoreOf(Math.log10(1 / Math.max(expected, 1e-300)) / Math.log10(1 / parameters.repeated.alarm)),
    kind,
    evidenceIds: [evidence.id, match.id, ...(dataChange ? [dataChange.evidenceId] : [])],
    explanation:
      `All ${fingerprint.metrics.length} numeric measurements of this ${kind} evidence (${fingerprint.metrics
        .slice(0, 5)
        .join(', ')}${fingerprint.metrics.length > 5 ? ', …' : ''}) are exactly those of evidence ${match.id}, ` +
      `which claims different data (${differences.join(', ')}). In this ToE's history such a match happens by ` +
      `chance about ${shown(expected, 2)} times in ${compared} comparisons.` +
      (dataChange ? ` The same run's ${dataChange.kind} evidence says the data changed: ${dataChange.summary}.` : ''),
    details: { matchedEvidence: match.id, expectedChanceMatches: expected, metrics: fingerprint.metrics.length },
  };
}

interface Unpacked {
  id: string;
  hash: number;
  run: string | null;
  subjects: number;
  raw: string | null;
  observedAt: number;
}

function unpack([id, hash, run, subjects, raw, observedAt]: Fingerprint): Unpacked {
  return { id, hash, run, subjects, raw, observedAt };
}

function claimsOtherData(earlier: Unpacked, current: Unpacked): boolean {
  if (earlier.run !== null && current.run !== null && earlier.run !== current.run) return true;
  if (earlier.subjects !== current.subjects) return true;
  if (earlier.run === null && current.run === null) return earlier.observedAt !== current.observedAt;
  return false;
}

/** Laplace estimate of the chance that two values of the metric in the series' window are equal. */
function repeatShare(series: SeriesState, metric: string): number {
  const index = series.metrics.indexOf(metric);
  if (index < 0) return 1;
  const sorted = sortedValues(series.columns[index]!);
  const n = sorted.length;
  let equalPairs = 0;
  let run = 1;
  for (let position = 1; position <= n; position += 1) {
    if (position < n && sorted[position] === sorted[position - 1]) run += 1;
    else {
      equalPairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return (equalPairs + 1) / ((n * (n - 1)) / 2 + 2);
}
