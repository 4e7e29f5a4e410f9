import type { ApprovedScopeInput, ScopeRequirementInput, ToeInput } from './bundle-input.ts';
import { CATALOG_FILE } from './built-in-catalog.ts';
import {
  objectivePartId,
  parameterId,
  referenceControlId,
  requirementControlId,
  statementPartId,
  templateControlId,
} from './control-ids.ts';
import { documentMetadata, toeProps } from './metadata.ts';
import { documentUuid, oscalProp, prop, str } from './oscal-text.ts';
import { viewRule } from './rule-text.ts';

export const SCOPE_CATALOG_FILE = 'scope-catalog.json';
export const SCOPE_PROFILE_FILE = 'scope-profile.json';

/** The built-in catalog controls a requirement maps to (only those the built-in catalog has). */
export function requirementLinks(requirement: ScopeRequirementInput, builtInIds: ReadonlySet<string>) {
  const links: { href: string; rel: string; text: string }[] = [];
  if (requirement.template && builtInIds.has(templateControlId(requirement.template.id))) {
    links.push({
      href: `${CATALOG_FILE}#${templateControlId(requirement.template.id)}`,
      rel: 'template',
      text: `${requirement.template.id} (catalog ${requirement.template.catalogVersion})`,
    });
  }
  for (const reference of requirement.controls ?? []) {
    const control = referenceControlId(reference);
    if (control && builtInIds.has(control.id)) {
      links.push({ href: `${CATALOG_FILE}#${control.id}`, rel: 'related', text: reference });
    }
  }
  return links;
}

function requirementControl(
  requirement: ScopeRequirementInput,
  scope: ApprovedScopeInput,
  builtInIds: ReadonlySet<string>,
) {
  const id = requirementControlId(requirement.id);
  const rule = viewRule(requirement.rule);
  const risks = scope.document.risks.filter((risk) => (requirement.mitigates ?? []).includes(risk.id));
  const links = requirementLinks(requirement, builtInIds);
  return {
    id,
    class: 'scope-requirement',
    title: requirement.title,
    ...(rule.parameters.length > 0
      ? {
          params: rule.parameters.map((parameter) => ({
            id: parameterId(id, parameter.name),
            label: parameter.label,
            values: [str(parameter.value) ?? '-'],
          })),
        }
      : {}),
    props: [
      oscalProp('label', requirement.id),
      ...prop('severity', requirement.severity),
      ...prop('critical', requirement.critical ?? false),
      ...prop('rule-type', rule.type),
      ...prop('rule', rule.json),
      ...prop('freshness', requirement.freshness),
      ...prop('grace-period', requirement.gracePeriod),
      ...(requirement.mitigates ?? []).flatMap((risk) => prop('mitigates', risk)),
      ...(requirement.controls ?? []).flatMap((reference) => prop('control-reference', reference)),
    ],
    ...(links.length > 0 ? { links } : {}),
    parts: [
      { id: statementPartId(id), name: 'statement', prose: str(requirement.description) ?? requirement.title },
      { id: objectivePartId(id), name: 'assessment-objective', prose: `Compliant when ${rule.text}.` },
      ...(risks.length > 0
        ? [
            {
              id: `${id}_gdn`,
              name: 'guidance',
              prose: `Mitigates ${risks
                .map((risk) => `${risk.id}: ${risk.description} (likelihood ${risk.likelihood}, impact ${risk.impact})`)
                .join('; ')}.`,
            },
          ]
        : []),
      {
        id: `${id}_asm`,
        name: 'assessment-method',
        props: [oscalProp('method', 'TEST')],
        prose:
          `Evaluated by the auditor's CABC assessment service each time signed evidence of kind ` +
          `${rule.kinds.join(', ') || 'any'} arrives` +
          `${requirement.freshness ? `, and when the newest is older than ${requirement.freshness}` : ''}. ` +
          `Rule: ${rule.json}. Pending (no evidence) and error (cannot be evaluated) never pass.`,
      },
    ],
  };
}

/**
 * The approved scope version as a catalog: each requirement a control (statement, assessment objective, the rule's
 * parameters, links to the built-in templates and framework controls it maps to). Approved versions are immutable,
 * so this document changes only with a new approved version.
 */
export function scopeCatalog(toe: ToeInput, scope: ApprovedScopeInput, builtInIds: ReadonlySet<string>) {
  const body = {
    metadata: documentMetadata({
      title: `Approved scope of ${toe.name}, version ${scope.version}`,
      lastModified: new Date(scope.approvedAt).toISOString(),
      version: String(scope.version),
      org: toe.org,
      props: [...toeProps(toe.id, scope.version, scope.digest), ...prop('approved-by', scope.approvedBy)],
    }),
    controls: scope.document.requirements.map((requirement) => requirementControl(requirement, scope, builtInIds)),
  };
  return { catalog: { uuid: documentUuid('scope-catalog', body), ...body } };
}

/** The ToE's baseline: every requirement of the approved scope (what the SSP implements, the plan assesses). */
export function scopeProfile(toe: ToeInput, scope: ApprovedScopeInput) {
  const body = {
    metadata: documentMetadata({
      title: `Baseline of ${toe.name}: approved scope version ${scope.version}`,
      lastModified: new Date(scope.approvedAt).toISOString(),
      version: String(scope.version),
      org: toe.org,
      props: toeProps(toe.id, scope.version, scope.digest),
    }),
    imports: [{ href: SCOPE_CATALOG_FILE, 'include-all': {} }],
    merge: { 'as-is': true },
  };
  return { profile: { uuid: documentUuid('scope-profile', body), ...body } };
}
