import { parseDuration } from '@cabc/contracts';
import { evaluate, type EvidenceRecord, type RuleResult, type ScopeDigests } from '@cabc/rules';
import type { InForceRequirement } from './in-force-scope.ts';

const newestObservedAt = (evidence: readonly EvidenceRecord[]): number | undefined => {
  let newest: number | undefined;
  for (const record of evidence) {
    const observed = Date.parse(record.predicate.observedAt);
    if (newest === undefined || observed > newest) newest = observed;
  }
  return newest;
};

/**
 * One requirement's result: its rule over the evidence of the kinds it reads, then the requirement's freshness
 * window, which turns a pass on evidence older than the window into non-compliance.
 */
export function evaluateRequirement(
  entry: InForceRequirement,
  evidence: readonly EvidenceRecord[],
  scope: ScopeDigests,
  now: Date,
): RuleResult {
  const kinds = new Set<string>(entry.compiled.affectedKinds);
  const relevant = evidence.filter((record) => kinds.has(record.predicate.kind));
  const result = evaluate(entry.compiled, { now, evidence: relevant, scope });
  if (result.status !== 'compliant' || entry.freshnessMs === undefined) return result;
  const newest = newestObservedAt(relevant);
  if (newest === undefined || now.getTime() - newest <= entry.freshnessMs) return result;
  return {
    ...result,
    status: 'non_compliant',
    reason: `the newest evidence (${new Date(newest).toISOString()}) is older than the freshness window ${entry.requirement.freshness}`,
    details: [
      ...result.details,
      {
        property: 'evidence_age_ms',
        value: now.getTime() - newest,
        operator: '<=',
        target: entry.freshnessMs,
        success: false,
      },
    ],
  };
}

/** When time alone could change this requirement's result: its newest evidence leaving a freshness window. */
export function staleAt(entry: InForceRequirement, evidence: readonly EvidenceRecord[]): number | undefined {
  const windows: number[] = [];
  if (entry.freshnessMs !== undefined) windows.push(entry.freshnessMs);
  const rule = entry.compiled.rule;
  if (rule.type === 'freshness') {
    const maxAge = parseDuration(rule.maxAge);
    if ('ms' in maxAge) windows.push(maxAge.ms);
  }
  if (windows.length === 0) return undefined;
  const kinds = new Set<string>(entry.compiled.affectedKinds);
  const newest = newestObservedAt(evidence.filter((record) => kinds.has(record.predicate.kind)));
  return newest === undefined ? undefined : newest + Math.min(...windows);
}
