import type { EvidenceKind } from '@cabc/contracts';

const performanceMetrics = [
  'Accuracy',
  'Precision',
  'Recall',
  'F1',
  'FBeta',
  'RocAuc',
  'LogLoss',
  'TPR',
  'TNR',
  'FPR',
  'FNR',
  'MAE',
  'RMSE',
  'MAPE',
  'MeanError',
  'R2',
  'AbsMaxError',
  'NDCG',
  'MRR',
  'MAP',
  'HitRate',
  'ScoreDistribution',
];
const performance = new RegExp(
  `^(?:Dummy)?(?:${performanceMetrics.join('|')})|Classification|Regression|Ranking|Recsys`,
);
const dataQualityWords = [
  'Column',
  'Dataset',
  'Missing',
  'Quantile',
  'Summary',
  'Value',
  'Count',
  'Duplicate',
  'Constant',
  'Almost',
  'Range',
  'InList',
  'Correlation',
  'Mean',
  'Median',
  'Std',
  'Min',
  'Max',
  'Unique',
  'Empty',
  'Row',
  'Categor',
  'Share',
  'Text',
  'Regexp',
  'Integrity',
];
const dataQuality = new RegExp(dataQualityWords.join('|'));

/** Evidently metric (or test) class name → evidence kind; unknown names are plain `evaluation`. */
export function evidentlyMetricKind(metricName: string): EvidenceKind {
  if (/Drift/.test(metricName)) return 'drift';
  if (performance.test(metricName)) return 'performance';
  if (dataQuality.test(metricName)) return 'data_quality';
  return 'evaluation';
}
