import { signalKinds } from '@cabc/anomaly';
import type { Tally } from './scoring.ts';

const share = (part: number, whole: number) => (whole === 0 ? '–' : (part / whole).toFixed(3));
const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(2)} %`);

/** Precision, recall and false positives per signal kind, and the false-positive rates on clean evidence. */
export function qualityTable(tally: Tally, evidence: number): string[] {
  const rows = signalKinds.map((kind) => {
    const entry = tally.perKind[kind];
    const precision = share(entry.truePositives, entry.truePositives + entry.falsePositives);
    const clean = percent(entry.falsePositives, tally.cleanEvidence + tally.quietEvidence);
    const recall = share(entry.detected, entry.events);
    const cells = [kind, entry.events, entry.detected, recall, precision, entry.falsePositives, entry.tolerated, clean];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    '| signal | injected | detected | recall | precision | false positives | tolerated | FP per clean evidence |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `${evidence} evidence. Clean ToEs: ${tally.cleanEvidence} evidence, ${tally.cleanEvidenceFlagged} with an ` +
      'observation ' +
      `(**${percent(tally.cleanEvidenceFlagged, tally.cleanEvidence)}**). Evidence of anomalous ToEs outside every ` +
      `event: ${tally.quietEvidence}, ${tally.quietEvidenceFlagged} with an observation ` +
      `(${percent(tally.quietEvidenceFlagged, tally.quietEvidence)}).`,
  ];
}

/** Recall per injection strength band. */
export function sensitivityTable(tally: Tally): string[] {
  const rows = [...tally.bands.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, entry]) => {
      const [kind, band] = key.split('|');
      return `| ${kind} | ${band} | ${entry.events} | ${share(entry.detected, entry.events)} |`;
    });
  return ['| signal | injected strength | events | recall |', '|---|---|---|---|', ...rows];
}
