import type { Transaction } from 'kysely';
import { jwkThumbprint, type PublicJwk } from '@cabc/crypto';
import { parseDuration } from '@cabc/contracts';
import { compileRule, evidenceWants, type CompiledRule, type EvidenceWant } from '@cabc/rules';
import type { ScopeArtifacts } from '../scopes/scope-document.schema.ts';
import type { ScopeRequirement } from '../scopes/scope-document.schema.ts';
import type { ScopesRepository, ScopeVersion } from '../scopes/scopes.repository.ts';

export interface InForceRequirement {
  requirement: ScopeRequirement;
  compiled: CompiledRule;
  freshnessMs: number | undefined;
}

export interface InForceScope {
  scope: ScopeVersion;
  requirements: InForceRequirement[];
  /** RFC 7638 ids of the collector keys the version trusts: only evidence they signed is evaluated under it. */
  collectorKeyIds: string[];
}

/** The key ids of a scope version's collector keys. */
export async function collectorKeyIdsOf(scope: ScopeVersion): Promise<string[]> {
  return Promise.all(scope.document.collectorKeys.map((jwk) => jwkThumbprint(jwk as PublicJwk)));
}

/** What an evaluation of these requirements loads: each rule's wants, the same want once, the deepest per kind. */
export function wantsOf(requirements: readonly InForceRequirement[], extraDepth = 0): EvidenceWant[] {
  const byKey = new Map<string, EvidenceWant>();
  for (const entry of requirements) {
    for (const want of evidenceWants(entry.compiled.rule)) {
      const key = `${want.kind}|${JSON.stringify(want.match ?? null)}`;
      const depth = want.depth + extraDepth;
      const known = byKey.get(key);
      if (!known || known.depth < depth) byKey.set(key, { ...want, depth });
    }
  }
  return [...byKey.values()];
}

/** The digests a scope version pins (lowercase); a version from before pinning reads the ToE's artifacts. */
export function pinnedArtifacts(scope: ScopeVersion, toeArtifacts: ScopeArtifacts): ScopeArtifacts {
  return scope.document.artifacts ?? toeArtifacts;
}

export const pinnedDigests = (artifacts: ScopeArtifacts): string[] =>
  [...artifacts.models, ...artifacts.datasets].map((artifact) => artifact.sha256.toLowerCase());

/**
 * The approved scope version of a ToE with its rules compiled. An approved version never changes, so versions are
 * cached by id and compiled rules by digest; each lookup only reads which version is approved.
 */
export function createInForceScopes(scopes: ScopesRepository, cacheSize = 256) {
  const cache = new Map<string, InForceRequirement[]>();
  const versions = new Map<string, { scope: ScopeVersion; collectorKeyIds: string[] }>();
  const compile = (scope: ScopeVersion): InForceRequirement[] => {
    const cached = cache.get(scope.digest);
    if (cached) return cached;
    const requirements = scope.document.requirements.map((requirement, index) => {
      const freshness = requirement.freshness ? parseDuration(requirement.freshness) : undefined;
      return {
        requirement,
        compiled: compileRule(requirement.rule, {
          fieldPrefix: `requirements.${index}.rule`,
          // Refused at submission under CEL_COST_LIMIT; a stored scope runs under the runtime budget alone.
          celCostLimit: Number.POSITIVE_INFINITY,
        }),
        freshnessMs: freshness && 'ms' in freshness ? freshness.ms : undefined,
      };
    });
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(scope.digest, requirements);
    return requirements;
  };
  return {
    async of(toeId: string, trx?: Transaction<any>): Promise<InForceScope | undefined> {
      const head = await scopes.approvedHead(toeId, trx);
      if (!head) return undefined;
      let cached = versions.get(head.id);
      if (!cached) {
        const scope = await scopes.inState(toeId, ['approved'], trx);
        if (!scope) return undefined;
        cached = { scope, collectorKeyIds: await collectorKeyIdsOf(scope) };
        if (versions.size >= cacheSize) versions.delete(versions.keys().next().value!);
        versions.set(scope.id, cached);
      }
      return { scope: cached.scope, requirements: compile(cached.scope), collectorKeyIds: cached.collectorKeyIds };
    },
    /** Any scope version, e.g. a draft for a dry run. */
    compile,
  };
}

export type InForceScopes = ReturnType<typeof createInForceScopes>;
