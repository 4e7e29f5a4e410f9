import type { CatalogInput, CatalogTemplateInput } from './bundle-input.ts';
import { euAiActArticle, parameterId, referenceControlId, templateControlId, type Framework } from './control-ids.ts';
import { aic4Areas, euAiActArticles, frameworkTitles } from './frameworks.ts';
import { catalogMetadata } from './metadata.ts';
import { documentUuid, oscalProp, prop, text } from './oscal-text.ts';
import { viewRule } from './rule-text.ts';

export const CATALOG_FILE = 'catalog.json';
export const PROFILE_FILE = 'profile.json';

/** A template's catalog references, as written in scopes: `EU-AI-ACT:Art.15(1)`, `ISO-25059:robustness`, `AIC4:PF`. */
export const templateReferences = (template: CatalogTemplateInput): string[] => [
  ...template.controls.euAiAct.map((article) => `EU-AI-ACT:${article}`),
  ...template.controls.iso25059.map((characteristic) => `ISO-25059:${characteristic}`),
  ...template.controls.aic4.map((area) => `AIC4:${area}`),
];

/** Catalog versions are YYYY.MM: the catalog's last-modified is the first of that month. */
const versionDate = (version: string, fallback: string) => {
  const match = /^(\d{4})\.(\d{2})$/.exec(version);
  return match ? `${match[1]}-${match[2]}-01T00:00:00.000Z` : fallback;
};

const parameterList = (template: CatalogTemplateInput) =>
  template.parameters.map((parameter) => `${parameter.name}: ${parameter.description}`).join('; ');
const parameterValue = (value: unknown) => (Array.isArray(value) ? value.join(', ') : String(value));

function templateControl(template: CatalogTemplateInput) {
  const id = templateControlId(template.id);
  const rule = viewRule(template.defaultRule);
  return {
    id,
    class: 'requirement-template',
    title: template.title,
    ...(template.parameters.length > 0
      ? {
          params: template.parameters.map((parameter) => ({
            id: parameterId(id, parameter.name),
            props: prop('parameter-type', parameter.type),
            label: parameter.name,
            usage: text(parameter.description, parameter.name),
            values: [text(parameterValue(parameter.default), '-')],
          })),
        }
      : {}),
    props: [
      oscalProp('label', template.id),
      ...prop('area', template.area),
      ...prop('severity', template.severity),
      ...prop('critical', template.critical),
      ...template.evidenceKinds.flatMap((kind) => prop('evidence-kind', kind)),
    ],
    links: templateReferences(template).flatMap((reference) => {
      const control = referenceControlId(reference);
      return control ? [{ href: `#${control.id}`, rel: 'related', text: reference }] : [];
    }),
    parts: [
      { id: `${id}_smt`, name: 'statement', prose: template.description },
      {
        id: `${id}_gdn`,
        name: 'guidance',
        prose:
          `Instantiate it in a scope (POST /v1/catalog/templates/${template.id}/requirement) with its parameters ` +
          `(${parameterList(template) || 'none'}).`,
      },
      {
        id: `${id}_asm`,
        name: 'assessment-method',
        props: [oscalProp('method', 'TEST')],
        prose: `Evaluated continuously from signed evidence. Default rule: ${rule.text} (${rule.json}).`,
      },
    ],
  };
}

interface FrameworkControl {
  id: string;
  title: string;
  label: string;
  templates: string[];
  children: Map<string, FrameworkControl>;
}

function frameworkControls(catalog: CatalogInput): Record<Framework, Map<string, FrameworkControl>> {
  const controls: Record<Framework, Map<string, FrameworkControl>> = {
    'eu-ai-act': new Map(),
    'iso-25059': new Map(),
    aic4: new Map(),
  };
  const entry = (map: Map<string, FrameworkControl>, id: string, title: string, label: string) => {
    let found = map.get(id);
    if (!found) {
      found = { id, title, label, templates: [], children: new Map() };
      map.set(id, found);
    }
    return found;
  };
  for (const [article, title] of Object.entries(euAiActArticles)) {
    entry(controls['eu-ai-act'], `eu-ai-act_art.${article}`, `Article ${article}: ${title}`, `Art.${article}`);
  }
  for (const [area, title] of Object.entries(aic4Areas)) {
    entry(controls.aic4, `aic4_${area.toLowerCase()}`, `${area}: ${title}`, area);
  }
  for (const template of catalog.templates) {
    for (const article of template.controls.euAiAct) {
      const number = euAiActArticle(article);
      const parent = number ? controls['eu-ai-act'].get(`eu-ai-act_art.${number}`) : undefined;
      const id = referenceControlId(`EU-AI-ACT:${article}`)!.id;
      if (parent && parent.id !== id) {
        entry(parent.children, id, `Article ${article.replace(/^Art\.\s*/i, '')}`, article).templates.push(template.id);
      } else if (parent) {
        parent.templates.push(template.id);
      } else {
        entry(controls['eu-ai-act'], id, article, article).templates.push(template.id);
      }
    }
    for (const characteristic of template.controls.iso25059) {
      const id = referenceControlId(`ISO-25059:${characteristic}`)!.id;
      const title = characteristic.charAt(0).toUpperCase() + characteristic.slice(1);
      entry(controls['iso-25059'], id, title, characteristic).templates.push(template.id);
    }
    for (const area of template.controls.aic4) {
      const id = referenceControlId(`AIC4:${area}`)!.id;
      entry(controls.aic4, id, aic4Areas[area] ? `${area}: ${aic4Areas[area]}` : area, area).templates.push(
        template.id,
      );
    }
  }
  return controls;
}

function frameworkControl(framework: Framework, control: FrameworkControl): Record<string, unknown> {
  const templates = [...new Set(control.templates)];
  const children = [...control.children.values()].sort((a, b) => compareIds(a.id, b.id));
  return {
    id: control.id,
    class: framework,
    title: control.title,
    props: [oscalProp('label', control.label)],
    parts: [
      {
        id: `${control.id}_smt`,
        name: 'statement',
        prose:
          `${frameworkTitles[framework]}: ${control.label}.` +
          (templates.length > 0 ? ` Requirement templates that map to it: ${templates.join(', ')}.` : ''),
      },
    ],
    ...(children.length > 0 ? { controls: children.map((child) => frameworkControl(framework, child)) } : {}),
  };
}

/** Natural order: art.9 before art.10, art.15.1 before art.15.3. */
const compareIds = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * The built-in requirement catalog as an OSCAL catalog: one group of requirement templates (each with its
 * parameters, default rule and links to what it maps to) and one group per framework it maps to (EU AI Act articles
 * with the paragraphs the templates cite, ISO/IEC 25059 quality characteristics, AIC4 criteria areas).
 */
export function builtInCatalog(catalog: CatalogInput, fallbackDate: string) {
  const frameworks = frameworkControls(catalog);
  const body = {
    metadata: catalogMetadata(
      `CABC built-in requirement catalog ${catalog.version}`,
      versionDate(catalog.version, fallbackDate),
      catalog.version,
      [...prop('catalog-version', catalog.version)],
    ),
    groups: [
      {
        id: 'templates',
        class: 'requirement-templates',
        title: 'Requirement templates',
        controls: catalog.templates.map(templateControl),
      },
      ...(Object.keys(frameworks) as Framework[]).map((framework) => ({
        id: framework,
        class: 'framework',
        title: frameworkTitles[framework],
        controls: [...frameworks[framework].values()]
          .sort((a, b) => compareIds(a.id, b.id))
          .map((control) => frameworkControl(framework, control)),
      })),
    ],
  };
  return { catalog: { uuid: documentUuid('catalog', body), ...body } };
}

/** The built-in baseline: every template and framework control of the built-in catalog, as the catalog has them. */
export function builtInProfile(catalog: CatalogInput, fallbackDate: string) {
  const body = {
    metadata: catalogMetadata(
      `CABC built-in requirement catalog ${catalog.version}: baseline of every template`,
      versionDate(catalog.version, fallbackDate),
      catalog.version,
    ),
    imports: [{ href: CATALOG_FILE, 'include-all': {} }],
    merge: { 'as-is': true },
  };
  return { profile: { uuid: documentUuid('profile', body), ...body } };
}
