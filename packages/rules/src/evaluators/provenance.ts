import { affectedKinds } from '../affected-kinds.ts';
import { buildFactsOf, normalizeRepository, type BuildFacts } from '../attestations/slsa-build-facts.ts';
import type {
  EvaluationContext,
  EvidenceRecord,
  ResultDetail,
  RuleEvaluator,
  RuleResult,
  VerifiedAttestation,
} from '../evaluation-types.ts';
import { newestFirst, newestOf } from '../evidence-order.ts';
import { errorResult, pendingResult, verdictResult } from '../results.ts';
import type { ProvenanceRule } from '../rule-schema.ts';

const asList = (value: string | readonly string[] | undefined): readonly string[] | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? [value] : value;

/**
 * Subjects: every subject (`digest.sha256`) of the newest evidence of each kind is a model or dataset the approved
 * scope names (case-insensitive); evidence without subjects is bound to nothing and fails. Kinds without evidence
 * are skipped; pending when none has any.
 * Build: each approved model has verified SLSA build provenance (the newest attestation about it) whose builder,
 * source repository and signing producer are among those the rule accepts.
 */
export function provenanceEvaluator(rule: ProvenanceRule): RuleEvaluator {
  const subjectKinds = rule.kinds ?? (rule.build ? [] : affectedKinds(rule));
  return (context) => {
    const parts: RuleResult[] = [];
    if (subjectKinds.length > 0) parts.push(subjectsResult(rule, subjectKinds, context));
    if (rule.build) parts.push(buildResult(rule.build, context));
    return combine(parts);
  };
}

function subjectsResult(rule: ProvenanceRule, kinds: readonly string[], context: EvaluationContext): RuleResult {
  const approved = new Set(
    [...context.scope.modelDigests, ...context.scope.datasetDigests].map((digest) => digest.toLowerCase()),
  );
  const approvedList = [...approved];
  const newest = kinds
    .map((kind) => newestOf(context.evidence, (record) => record.predicate.kind === kind))
    .filter((record): record is EvidenceRecord => record !== undefined);
  if (newest.length === 0)
    return pendingResult(`no evidence of ${rule.kinds ? rule.kinds.join(', ') : 'any kind'} yet`);

  const details: ResultDetail[] = newest.flatMap((record): ResultDetail[] => {
    const kind = record.predicate.kind;
    if (record.subjects.length === 0) {
      return [{ property: `subjects:${kind}`, value: 0, operator: '>=', target: 1, success: false }];
    }
    return record.subjects.map((subject) => ({
      property: `subject:${kind}:${subject.name}`,
      value: subject.digest.sha256,
      operator: 'in',
      target: approvedList,
      success: approved.has(subject.digest.sha256.toLowerCase()),
    }));
  });
  return verdictResult(
    details,
    newest.map((record) => record.id),
  );
}

interface Found {
  record: EvidenceRecord;
  attestation: VerifiedAttestation;
  facts: BuildFacts;
}

/** The newest verified build provenance about a digest. */
function buildProvenanceOf(digest: string, records: readonly EvidenceRecord[]): Found | undefined {
  for (const record of records) {
    for (const attestation of record.attestations ?? []) {
      const about = attestation.subjects.some((subject) => subject.digest.sha256?.toLowerCase() === digest);
      if (!about) continue;
      const facts = buildFactsOf(attestation.predicateType, attestation.predicate);
      if (facts) return { record, attestation, facts };
    }
  }
  return undefined;
}

function buildResult(build: NonNullable<ProvenanceRule['build']>, context: EvaluationContext): RuleResult {
  const models = [...new Set(context.scope.modelDigests.map((digest) => digest.toLowerCase()))];
  if (models.length === 0) return errorResult('the approved scope names no model whose build could be checked', []);
  const records = newestFirst(context.evidence, (record) => (record.attestations?.length ?? 0) > 0);
  const builders = asList(build.builder);
  const repositories = asList(build.repository)?.map(normalizeRepository);
  const producers = asList(build.producer);
  const details: ResultDetail[] = [];
  const ids: string[] = [];
  const missing: string[] = [];
  for (const digest of models) {
    const found = buildProvenanceOf(digest, records);
    if (!found) {
      missing.push(digest);
      continue;
    }
    ids.push(found.record.id);
    const label = `build:${digest.slice(0, 12)}`;
    if (builders) {
      const value = found.facts.builder ?? null;
      const success = value !== null && builders.includes(value);
      details.push({ property: `${label}:builder`, value, operator: 'in', target: builders, success });
    }
    if (repositories) {
      const value = found.facts.repositories;
      const success = value.some((repository) => repositories.includes(repository));
      details.push({ property: `${label}:repository`, value, operator: 'any_in', target: repositories, success });
    }
    if (producers) {
      const value = found.attestation.producer;
      details.push({
        property: `${label}:producer`,
        value,
        operator: 'in',
        target: producers,
        success: producers.includes(value),
      });
    }
  }
  if (missing.length > 0 && details.every((detail) => detail.success)) {
    return pendingResult(`no verified build provenance yet for model ${missing.join(', ')}`, ids);
  }
  return verdictResult(details, [...new Set(ids)]);
}

/** Non-compliance first, then error, then pending: the posture order (docs/rules.md#posture). */
function combine(parts: RuleResult[]): RuleResult {
  if (parts.length === 1) return parts[0]!;
  for (const status of ['non_compliant', 'error', 'pending'] as const) {
    const first = parts.find((part) => part.status === status);
    if (first) {
      return {
        ...first,
        reason: parts
          .filter((part) => part.status === status)
          .map((part) => part.reason)
          .join('; '),
        details: parts.flatMap((part) => part.details),
        evidenceIds: [...new Set(parts.flatMap((part) => part.evidenceIds))],
      };
    }
  }
  return {
    status: 'compliant',
    reason: parts.map((part) => part.reason).join('; '),
    details: parts.flatMap((part) => part.details),
    evidenceIds: [...new Set(parts.flatMap((part) => part.evidenceIds))],
  };
}
