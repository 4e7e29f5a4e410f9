import type { RequirementTemplate } from './catalog-template.ts';
import { CATALOG_VERSION, catalogTemplates } from './catalog-v1.ts';

/** A template's parameters at their defaults. */
export const defaults = (template: RequirementTemplate) =>
  Object.fromEntries(template.parameters.map((parameter) => [parameter.name, parameter.default]));

/** A template as GET /v1/catalog answers it (and the OSCAL bundle reads it). */
const templateView = (template: RequirementTemplate) => ({
  id: template.id,
  title: template.title,
  description: template.description,
  area: template.area,
  severity: template.severity,
  critical: template.critical,
  controls: template.controls,
  evidenceKinds: template.evidenceKinds,
  parameters: template.parameters,
  defaultRule: template.rule(defaults(template)),
});

/** GET /v1/catalog: the built-in templates, each with its default rule. */
export const catalogView = () => ({ version: CATALOG_VERSION, templates: catalogTemplates.map(templateView) });
