import { oscalToken } from './oscal-text.ts';

/** The control of a scope requirement in the scope catalog: `req-` and the requirement id. */
export const requirementControlId = (requirementId: string): string =>
  `req-${oscalToken(requirementId).replace(/^_/, '')}`;
/** Its statement part (what the SSP implements) and its assessment objective (what a finding targets). */
export const statementPartId = (controlId: string): string => `${controlId}_smt`;
export const objectivePartId = (controlId: string): string => `${controlId}_obj`;
export const parameterId = (controlId: string, name: string): string => `${controlId}_prm_${oscalToken(name)}`;

/** The control of a built-in template in the built-in catalog. */
export const templateControlId = (templateId: string): string => `tpl-${oscalToken(templateId.toLowerCase())}`;

export type Framework = 'eu-ai-act' | 'iso-25059' | 'aic4';
const prefixes: Record<string, Framework> = { 'EU-AI-ACT': 'eu-ai-act', 'ISO-25059': 'iso-25059', AIC4: 'aic4' };

/**
 * The built-in catalog's control for a catalog reference, or undefined for a reference outside the three frameworks:
 * `EU-AI-ACT:Art.15(1)` → `eu-ai-act_art.15.1`, `ISO-25059:functional correctness` → `iso-25059_functional-correctness`,
 * `AIC4:PF` → `aic4_pf`.
 */
export function referenceControlId(reference: string): { framework: Framework; id: string } | undefined {
  const separator = reference.indexOf(':');
  if (separator < 0) return undefined;
  const framework = prefixes[reference.slice(0, separator).toUpperCase()];
  const rest = reference.slice(separator + 1).trim();
  if (!framework || rest.length === 0) return undefined;
  const local = rest
    .toLowerCase()
    .replace(/\(([^)]*)\)/g, '.$1')
    .replace(/\s+/g, '-')
    .replace(/[^a-z0-9.-]/g, '-');
  return { framework, id: `${framework}_${local}` };
}

/** The article of an EU AI Act reference: `Art.15(1)` → `Art.15`. */
export const euAiActArticle = (reference: string): string | undefined => /^Art\.\s*(\d+)/i.exec(reference)?.[1];
