import type { RequirementTemplate } from './catalog-template.ts';

export const CATALOG_VERSION = '2026.11';

const metric = (fallback: string, description = 'metric name as the tool reports it') =>
  ({ name: 'metric', type: 'string', default: fallback, description }) as const;

/**
 * The built-in catalog. Control references: EU AI Act (Regulation (EU) 2024/1689) articles 9–15; ISO/IEC 25059:2023
 * quality characteristics of AI systems; BSI AI Cloud Service Compliance Criteria Catalogue (AIC4) areas:
 * SR security & robustness, PF performance & functionality, RE reliability, DQ data quality, DM data management,
 * EX explainability, BI bias.
 */
export const catalogTemplates: RequirementTemplate[] = [
  {
    id: 'PERF-MIN-METRIC',
    title: 'Performance at least the agreed level',
    description: 'The newest evaluation of the model meets the agreed minimum of its headline metric.',
    area: 'performance',
    severity: 'high',
    critical: true,
    controls: { euAiAct: ['Art.15(1)', 'Art.15(3)'], iso25059: ['functional correctness'], aic4: ['PF'] },
    evidenceKinds: ['performance'],
    parameters: [
      metric('accuracy'),
      { name: 'minimum', type: 'number', default: 0.9, description: 'lowest acceptable value' },
    ],
    rule: (p) => ({
      type: 'threshold',
      selector: { kind: 'performance', metric: p.metric },
      operator: '>=',
      target: p.minimum,
    }),
  },
  {
    id: 'PERF-MAX-ERROR',
    title: 'Error at most the agreed level',
    description: 'The newest evaluation keeps an error metric (rmse, mae, log loss) under the agreed maximum.',
    area: 'performance',
    severity: 'high',
    critical: false,
    controls: { euAiAct: ['Art.15(1)'], iso25059: ['functional correctness'], aic4: ['PF'] },
    evidenceKinds: ['performance'],
    parameters: [
      metric('rmse'),
      { name: 'maximum', type: 'number', default: 1, description: 'highest acceptable value' },
    ],
    rule: (p) => ({
      type: 'threshold',
      selector: { kind: 'performance', metric: p.metric },
      operator: '<=',
      target: p.maximum,
    }),
  },
  {
    id: 'PERF-NO-DEGRADATION',
    title: 'No significant degradation over time',
    description: 'The metric does not drop beyond k standard deviations of its EWMA baseline (continuous monitoring).',
    area: 'performance',
    severity: 'medium',
    critical: false,
    controls: {
      euAiAct: ['Art.9(2)(b)', 'Art.15(4)'],
      iso25059: ['functional adaptability', 'functional correctness'],
      aic4: ['PF', 'RE'],
    },
    evidenceKinds: ['performance'],
    parameters: [
      metric('accuracy'),
      { name: 'k', type: 'number', default: 3, description: 'standard deviations that count as a drop' },
    ],
    rule: (p) => ({
      type: 'trend',
      selector: { kind: 'performance', metric: p.metric },
      direction: 'decrease_is_bad',
      method: 'ewma',
      k: p.k,
    }),
  },
  {
    id: 'ROB-ADVERSARIAL-ACCURACY',
    title: 'Accuracy under attack at least the agreed level',
    description: 'Robustness tests (adversarial attacks) keep accuracy above the agreed minimum.',
    area: 'robustness',
    severity: 'high',
    critical: false,
    controls: { euAiAct: ['Art.15(4)', 'Art.15(5)'], iso25059: ['robustness'], aic4: ['SR'] },
    evidenceKinds: ['robustness'],
    parameters: [
      metric('adversarial_accuracy'),
      { name: 'minimum', type: 'number', default: 0.7, description: 'lowest acceptable value' },
    ],
    rule: (p) => ({
      type: 'threshold',
      selector: { kind: 'robustness', metric: p.metric },
      operator: '>=',
      target: p.minimum,
    }),
  },
  {
    id: 'BIAS-MAX-GAP',
    title: 'Group fairness gap within the agreed bound',
    description: 'The gap of a fairness metric between groups of the sensitive feature stays within the bound.',
    area: 'bias',
    severity: 'high',
    critical: false,
    controls: {
      euAiAct: ['Art.10(2)(f)', 'Art.10(2)(g)'],
      iso25059: ['societal and ethical risk mitigation'],
      aic4: ['BI'],
    },
    evidenceKinds: ['fairness'],
    parameters: [
      metric('demographic_parity_difference'),
      { name: 'maximum', type: 'number', default: 0.1, description: 'largest acceptable gap' },
    ],
    rule: (p) => ({
      type: 'threshold',
      selector: { kind: 'fairness', metric: p.metric },
      operator: '<=',
      target: p.maximum,
    }),
  },
  {
    id: 'DQ-CHECKS-PASS',
    title: 'Data-quality checks pass',
    description:
      'Every check of the newest data-quality report (Great Expectations, Deepchecks, Evidently tests) passes.',
    area: 'data_quality',
    severity: 'high',
    critical: false,
    controls: { euAiAct: ['Art.10(2)', 'Art.10(3)'], iso25059: ['functional correctness'], aic4: ['DQ', 'DM'] },
    evidenceKinds: ['data_quality'],
    parameters: [{ name: 'allowWarnings', type: 'string', default: 'true', description: '"true" lets warnings pass' }],
    rule: (p) => ({ type: 'checks', kind: 'data_quality', allowWarnings: p.allowWarnings !== 'false' }),
  },
  {
    id: 'DRIFT-BOUNDED',
    title: 'Input drift within bounds',
    description: 'The share of drifted features in the newest drift report stays under the agreed bound.',
    area: 'drift',
    severity: 'medium',
    critical: false,
    controls: {
      euAiAct: ['Art.9(2)(c)', 'Art.15(4)'],
      iso25059: ['functional adaptability', 'robustness'],
      aic4: ['RE', 'DQ'],
    },
    evidenceKinds: ['drift'],
    parameters: [
      {
        name: 'maxDriftShare',
        type: 'number',
        default: 0.3,
        description: 'largest acceptable share of drifted columns',
      },
    ],
    rule: (p) => ({ type: 'drift', maxDriftShare: p.maxDriftShare }),
  },
  {
    id: 'DOC-MODEL-CARD',
    title: 'Model card complete',
    description: 'A model card exists and documents the agreed fields (intended use, limitations, licence, ...).',
    area: 'documentation',
    severity: 'medium',
    critical: false,
    controls: { euAiAct: ['Art.11', 'Art.13(3)'], iso25059: ['transparency'], aic4: ['EX'] },
    evidenceKinds: ['model_card'],
    parameters: [
      {
        name: 'fields',
        type: 'string_list',
        default: ['license', 'intended_use', 'limitations'],
        description: 'fields that must be filled',
      },
    ],
    rule: (p) => ({ type: 'presence', modelCardFields: p.fields }),
  },
  {
    id: 'EXPL-FEATURE-IMPORTANCE',
    title: 'Explanations are produced',
    description: 'Feature-importance or explanation evidence exists for the model.',
    area: 'explainability',
    severity: 'medium',
    critical: false,
    controls: { euAiAct: ['Art.13(1)', 'Art.13(3)(b)'], iso25059: ['transparency'], aic4: ['EX'] },
    evidenceKinds: ['feature_importance'],
    parameters: [],
    rule: () => ({ type: 'presence', kinds: ['feature_importance'] }),
  },
  {
    id: 'HUMAN-OVERSIGHT-DOCUMENTED',
    title: 'Human oversight documented',
    description: 'The model card states how humans oversee and can intervene in the system.',
    area: 'human_oversight',
    severity: 'medium',
    critical: false,
    controls: { euAiAct: ['Art.14'], iso25059: ['user controllability', 'intervenability'], aic4: ['EX'] },
    evidenceKinds: ['model_card'],
    parameters: [
      { name: 'fields', type: 'string_list', default: ['human_oversight'], description: 'fields that must be filled' },
    ],
    rule: (p) => ({ type: 'presence', modelCardFields: p.fields }),
  },
  {
    id: 'PROV-ARTIFACTS-MATCH',
    title: 'Evidence is about the certified artifacts',
    description: 'The subjects of the newest evidence match the model and dataset digests registered for the ToE.',
    area: 'provenance',
    severity: 'critical',
    critical: true,
    controls: { euAiAct: ['Art.12', 'Art.10(2)(b)'], iso25059: ['transparency'], aic4: ['DM'] },
    evidenceKinds: ['performance'],
    parameters: [
      {
        name: 'kinds',
        type: 'string_list',
        default: ['performance'],
        description: 'evidence kinds whose subjects are checked',
      },
    ],
    rule: (p) => ({ type: 'provenance', kinds: p.kinds }),
  },
  {
    id: 'FRESH-EVALUATION',
    title: 'Evaluation evidence is recent',
    description: 'The newest evidence of the kind is younger than the agreed window, so a silent pipeline fails.',
    area: 'freshness',
    severity: 'high',
    critical: false,
    controls: { euAiAct: ['Art.9(2)', 'Art.15(1)'], iso25059: ['functional correctness'], aic4: ['RE'] },
    evidenceKinds: ['performance'],
    parameters: [
      { name: 'kind', type: 'string', default: 'performance', description: 'evidence kind' },
      {
        name: 'maxAge',
        type: 'duration',
        default: 'P30D',
        description: 'oldest acceptable evidence (ISO 8601 or 30d)',
      },
    ],
    rule: (p) => ({ type: 'freshness', kind: p.kind, maxAge: p.maxAge }),
  },
];
