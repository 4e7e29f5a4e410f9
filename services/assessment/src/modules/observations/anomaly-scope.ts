import { metricDirectionsOf, type AnomalyScope } from '@cabc/anomaly';
import { parseDuration, type EvidenceKind } from '@cabc/contracts';
import type { InForceScope } from '../evaluation/in-force-scope.ts';
import type { ScopeArtifacts } from '../scopes/scope-document.schema.ts';

const msOf = (text: string): number | undefined => {
  const parsed = parseDuration(text);
  return 'ms' in parsed ? parsed.ms : undefined;
};

const tightest = (into: Partial<Record<EvidenceKind, number>>, kind: EvidenceKind, ms: number | undefined) => {
  if (ms !== undefined && !(into[kind] !== undefined && into[kind] <= ms)) into[kind] = ms;
};

/**
 * What the detectors need of the approved scope in force: its version, the pinned digests, the tightest freshness
 * window and the promised rhythm per kind, which way is good for each metric its rules name, and the approvals of
 * the ToE's scope versions. Certificate renewals live at the certification body and are not milestones here.
 */
export function anomalyScopeOf(inForce: InForceScope, artifacts: ScopeArtifacts, approvals: readonly Date[]) {
  const freshnessMs: Partial<Record<EvidenceKind, number>> = {};
  for (const entry of inForce.requirements) {
    const rule = entry.compiled.rule;
    const windows = [entry.freshnessMs, rule.type === 'freshness' ? msOf(rule.maxAge) : undefined];
    for (const kind of entry.compiled.affectedKinds) for (const ms of windows) tightest(freshnessMs, kind, ms);
  }
  const expectedIntervalMs: Partial<Record<EvidenceKind, number>> = {};
  for (const measurement of inForce.scope.document.measurements) {
    for (const kind of measurement.evidenceKinds) {
      tightest(expectedIntervalMs, kind, msOf(measurement.expectedFrequency));
    }
  }
  const scope: AnomalyScope = {
    version: inForce.scope.version,
    modelDigests: artifacts.models.map((artifact) => artifact.sha256.toLowerCase()),
    datasetDigests: artifacts.datasets.map((artifact) => artifact.sha256.toLowerCase()),
    freshnessMs,
    expectedIntervalMs,
    metricDirections: metricDirectionsOf(inForce.requirements.map((entry) => entry.compiled.rule)),
    milestones: approvals.map((at) => ({ kind: 'approval' as const, at })),
  };
  return scope;
}
