import { metricNamesOf, type EvidenceRecord, type RuleResult } from '@cabc/rules';
import type { EvaluationRepository } from '../evaluation/evaluation.repository.ts';
import type { InForceRequirement } from '../evaluation/in-force-scope.ts';

/** The evidence behind a result, as the dry run shows it: which pieces a requirement read, and what it found. */
export function readEvidenceOf(result: RuleResult, evidence: readonly EvidenceRecord[]) {
  const byId = new Map(evidence.map((record) => [record.id, record]));
  const names = new Set(
    result.details.map((detail) => detail.property.replace(/^(ewma|cusum):/, '').replace(/\{.*$/, '')),
  );
  return result.evidenceIds.flatMap((id) => {
    const record = byId.get(id);
    if (!record) return [];
    return [
      {
        id,
        kind: record.predicate.kind,
        tool: record.predicate.producer.tool,
        observedAt: record.predicate.observedAt,
        receivedAt: record.receivedAt.toISOString(),
        measurements: [
          ...new Set(
            record.predicate.measurements
              .filter((measurement) => names.has(measurement.name))
              .map((measurement) => measurement.name),
          ),
        ],
      },
    ];
  });
}

/**
 * Per requirement, the metric names its selector accepts that no evidence of the ToE ever carried: allowed (a model
 * may report it later), but worth a look before approving (a typo reads nothing, ever).
 */
export async function neverSeenMetrics(
  evaluations: Pick<EvaluationRepository, 'seenMetricNames'>,
  toeId: string,
  requirements: readonly InForceRequirement[],
): Promise<Map<string, string[]>> {
  const neverSeen = new Map<string, string[]>();
  for (const { requirement, compiled } of requirements) {
    const rule = compiled.rule;
    if (rule.type !== 'threshold' && rule.type !== 'trend') continue;
    const names = metricNamesOf(rule.selector);
    const seen = await evaluations.seenMetricNames(toeId, rule.selector.kind, names);
    const missing = names.filter((name) => !seen.has(name));
    if (missing.length > 0) neverSeen.set(requirement.id, missing);
  }
  return neverSeen;
}
