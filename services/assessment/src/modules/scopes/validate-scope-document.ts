import { jwkThumbprint, publicKeyFromJwk, type PublicJwk } from '@cabc/crypto';
import { UnprocessableProblem, type ProblemField } from '@cabc/http-kit';
import { compileRule, RuleCompileError, type CompiledRule } from '@cabc/rules';
import { attestationKeyOf } from '../evidence/attestation-keys.ts';
import { scopeDocumentSchema, type ScopeArtifacts, type ScopeDocument } from './scope-document.schema.ts';

export interface ValidatedScope {
  document: ScopeDocument;
  rules: ReadonlyMap<string, CompiledRule>;
  /** Trusted collector keys by RFC 7638 key id. */
  collectorKeyIds: string[];
}

function duplicates(ids: string[], path: string, what: string): ProblemField[] {
  const seen = new Set<string>();
  return ids.flatMap((id, index) => {
    if (!seen.has(id)) {
      seen.add(id);
      return [];
    }
    return [{ field: `${path}.${index}.id`, message: `duplicate ${what} id "${id}"` }];
  });
}

/**
 * Everything that can be wrong with a scope document, found at once: shape, duplicate ids, dangling references,
 * rules that do not compile, keys that are not Ed25519 public keys. Throws a 422 naming each field.
 */
export async function validateScopeDocument(
  input: unknown,
  options: { defaultArtifacts?: ScopeArtifacts | undefined; celCostLimit?: number | undefined } = {},
): Promise<ValidatedScope> {
  const parsed = scopeDocumentSchema.safeParse(input);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((issue) => ({
        field: issue.path.map(String).join('.') || 'document',
        message: issue.message,
      })),
    );
  }
  const document =
    parsed.data.artifacts === undefined && options.defaultArtifacts !== undefined
      ? { ...parsed.data, artifacts: options.defaultArtifacts }
      : parsed.data;
  const fields: ProblemField[] = [
    ...duplicates(
      document.risks.map((risk) => risk.id),
      'risks',
      'risk',
    ),
    ...duplicates(
      document.requirements.map((requirement) => requirement.id),
      'requirements',
      'requirement',
    ),
  ];
  const riskIds = new Set(document.risks.map((risk) => risk.id));
  const requirementIds = new Set(document.requirements.map((requirement) => requirement.id));
  const rules = new Map<string, CompiledRule>();
  document.requirements.forEach((requirement, index) => {
    requirement.mitigates.forEach((riskId, riskIndex) => {
      if (!riskIds.has(riskId))
        fields.push({
          field: `requirements.${index}.mitigates.${riskIndex}`,
          message: `no risk "${riskId}" in this scope`,
        });
    });
    try {
      const compiled = compileRule(requirement.rule, {
        fieldPrefix: `requirements.${index}.rule`,
        celCostLimit: options.celCostLimit,
      });
      rules.set(requirement.id, compiled);
      if (compiled.rule.type === 'provenance' && compiled.rule.build && !document.artifacts?.models.length) {
        fields.push({
          field: `requirements.${index}.rule.build`,
          message: 'the scope pins no model (artifacts.models) whose build provenance could be checked',
        });
      }
    } catch (error) {
      if (!(error instanceof RuleCompileError)) throw error;
      fields.push(...error.issues);
    }
  });
  document.measurements.forEach((measurement, index) => {
    if (!requirementIds.has(measurement.requirementId)) {
      fields.push({
        field: `measurements.${index}.requirementId`,
        message: `no requirement "${measurement.requirementId}" in this scope`,
      });
    }
  });
  const collectorKeyIds: string[] = [];
  for (const [index, jwk] of document.collectorKeys.entries()) {
    try {
      publicKeyFromJwk(jwk);
      collectorKeyIds.push(await jwkThumbprint(jwk as PublicJwk));
    } catch (error) {
      fields.push({
        field: `collectorKeys.${index}`,
        message: error instanceof Error ? error.message : 'not a public Ed25519 JWK',
      });
    }
  }
  document.attestationKeys.forEach((entry, index) => {
    try {
      attestationKeyOf(entry);
    } catch (error) {
      fields.push({
        field: `attestationKeys.${index}.jwk`,
        message: error instanceof Error ? error.message : 'not a public key',
      });
    }
  });
  if (fields.length > 0) throw invalid(fields);
  return { document, rules, collectorKeyIds };
}

function invalid(fields: ProblemField[]): UnprocessableProblem {
  return new UnprocessableProblem(
    'invalid-scope',
    'Invalid scope document',
    fields.map((field) => `${field.field}: ${field.message}`).join('; '),
    fields,
  );
}
