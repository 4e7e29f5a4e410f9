import type { Transaction } from 'kysely';
import { jwkThumbprint, type PublicJwk } from '@cabc/crypto';
import { parseDuration } from '@cabc/contracts';
import { compileRule, evidenceDepth, type CompiledRule } from '@cabc/rules';
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

/** How many of the newest evidence of each kind the requirements read: what an evaluation loads. */
export function depthByKind(requirements: readonly InForceRequirement[]): Map<string, number> {
  const depths = new Map<string, number>();
  for (const entry of requirements) {
    const depth = evidenceDepth(entry.compiled.rule);
    for (const kind of entry.compiled.affectedKinds) depths.set(kind, Math.max(depths.get(kind) ?? 0, depth));
  }
  return depths;
}

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
        compiled: compileRule(requirement.rule, { fieldPrefix: `requirements.${index}.rule` }),
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
