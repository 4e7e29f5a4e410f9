import { MODEL_KINDS } from '../evidence-features.ts';
import type { AnomalyParameters } from '../parameters.ts';
import { pushBounded } from '../robust-statistics.ts';
import { scoreOf } from '../score.ts';
import type { AnomalyState } from '../state.ts';
import type { AnomalyEvidence, AnomalyScope, Observation } from '../types.ts';

const MODELS_REMEMBERED = 64;

export interface ModelChanges {
  observations: Observation[];
  /** A model subject changed digest under a newly approved scope version: model baselines should re-learn. */
  approvedChange: boolean;
}

/**
 * The model a model-kind evidence is about changes digest while the scope version stays the same. A subject counts
 * as a model artifact when the scope does not list its digest as a dataset; it counts as the artifact in use once
 * `stableFor` evidence in a row carried the same digest (subjects that change every run are per-run data, not a
 * model). A change the same scope version approves (its digest listed among the models) is not raised.
 */
export function detectModelDigestChange(
  evidence: AnomalyEvidence,
  state: AnomalyState,
  scope: AnomalyScope,
  parameters: AnomalyParameters,
): ModelChanges {
  const changes: ModelChanges = { observations: [], approvedChange: false };
  const kind = evidence.predicate.kind;
  if (!MODEL_KINDS.has(kind)) return changes;
  for (const subject of evidence.subjects) {
    // The predicate schema only admits lowercase hex; the scope's digests are compared case-insensitively.
    const digest = subject.digest.sha256;
    if (listed(scope.datasetDigests, digest)) continue;
    const known = state.models.find((entry) => entry.name === subject.name);
    if (!known) {
      const entry = { name: subject.name, digest, stable: 1, version: scope.version, lastId: evidence.id };
      pushBounded(state.models, entry, MODELS_REMEMBERED);
      continue;
    }
    if (known.digest === digest) {
      known.stable += 1;
      known.version = scope.version;
      known.lastId = evidence.id;
      continue;
    }
    const wasInUse = known.stable >= parameters.model.stableFor;
    if (wasInUse && known.version !== scope.version) changes.approvedChange = true;
    if (wasInUse && known.version === scope.version && !listed(scope.modelDigests, digest)) {
      const scopeListsModels = scope.modelDigests.length > 0;
      changes.observations.push({
        signal: 'model_digest_change',
        score: scoreOf(scopeListsModels ? 2 : 1.5),
        kind,
        evidenceIds: [evidence.id, known.lastId],
        explanation:
          `'${subject.name}' in this ${kind} evidence has digest ${digest.slice(0, 12)}…, but the last ` +
          `${known.stable} evidence under scope version ${scope.version} (up to ${known.lastId}) had ` +
          `${known.digest.slice(0, 12)}…, and no new scope version was approved in between. ` +
          (scopeListsModels
            ? 'The scope does not list the new digest: the evidence is about a model nobody approved.'
            : 'The scope lists no model digests, so nothing says which of the two is approved.'),
        details: { subject: subject.name, digest, previousDigest: known.digest, scopeVersion: scope.version },
      });
    }
    Object.assign(known, { digest, stable: 1, version: scope.version, lastId: evidence.id });
  }
  return changes;
}

function listed(digests: readonly string[], digest: string): boolean {
  for (const candidate of digests) if (candidate === digest || candidate.toLowerCase() === digest) return true;
  return false;
}
