import type { Rule } from '@cabc/rules';

/**
 * A typical scope of an ML system with performance, drift and data-quality evidence: what the assessment evaluates
 * when one of these evidence arrives, and the baseline the anomaly detectors' cost is compared with.
 */
export const BENCH_REQUIREMENTS: { id: string; rule: Rule }[] = [
  {
    id: 'REQ-ACCURACY',
    rule: { type: 'threshold', selector: { kind: 'performance', metric: 'accuracy' }, operator: '>=', target: 0.7 },
  },
  {
    id: 'REQ-F1',
    rule: { type: 'threshold', selector: { kind: 'performance', metric: 'f1' }, operator: '>=', target: 0.6 },
  },
  {
    id: 'REQ-LOSS',
    rule: { type: 'threshold', selector: { kind: 'performance', metric: 'log_loss' }, operator: '<=', target: 0.8 },
  },
  {
    id: 'REQ-AUC-TREND',
    rule: {
      type: 'trend',
      selector: { kind: 'performance', metric: 'auc' },
      direction: 'decrease_is_bad',
      method: 'cusum',
    },
  },
  {
    id: 'REQ-ACCURACY-TREND',
    rule: {
      type: 'trend',
      selector: { kind: 'performance', metric: 'accuracy' },
      direction: 'decrease_is_bad',
      method: 'ewma',
    },
  },
  {
    id: 'REQ-BALANCE',
    rule: {
      type: 'expression',
      kinds: ['performance'],
      expression: 'latest.performance.metrics["precision"] >= 0.5 && latest.performance.metrics["recall"] >= 0.5',
    },
  },
  { id: 'REQ-DRIFT', rule: { type: 'drift', maxDriftShare: 0.5 } },
  { id: 'REQ-DATA-QUALITY', rule: { type: 'checks', kind: 'data_quality', allowWarnings: true } },
  { id: 'REQ-FRESH-PERFORMANCE', rule: { type: 'freshness', kind: 'performance', maxAge: '3d' } },
  { id: 'REQ-FRESH-DATA-QUALITY', rule: { type: 'freshness', kind: 'data_quality', maxAge: '7d' } },
  { id: 'REQ-PROVENANCE', rule: { type: 'provenance' } },
];
