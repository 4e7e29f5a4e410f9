import type { EvidenceKind } from '@cabc/contracts';

export type CatalogArea =
  | 'performance'
  | 'robustness'
  | 'bias'
  | 'data_quality'
  | 'drift'
  | 'documentation'
  | 'explainability'
  | 'provenance'
  | 'freshness'
  | 'human_oversight';

export interface TemplateParameter {
  name: string;
  type: 'number' | 'string' | 'duration' | 'string_list';
  default: number | string | string[];
  description: string;
}

/** A requirement template: what it asks, where it comes from, and its default rule, parameterized. */
export interface RequirementTemplate {
  id: string;
  title: string;
  description: string;
  area: CatalogArea;
  severity: 'low' | 'medium' | 'high' | 'critical';
  critical: boolean;
  /** EU AI Act articles (9–15), ISO/IEC 25059 quality characteristics, BSI AIC4 criteria areas. */
  controls: { euAiAct: string[]; iso25059: string[]; aic4: string[] };
  evidenceKinds: EvidenceKind[];
  parameters: TemplateParameter[];
  rule: (parameters: Record<string, unknown>) => unknown;
}
