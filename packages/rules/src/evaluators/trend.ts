import type { EvidenceRecord, RuleEvaluator, RuleResult } from '../evaluation-types.ts';
import { newestFirst } from '../evidence-order.ts';
import { describeSelection, isSelectable, readNumber, selectorLabel } from '../measurement-selector.ts';
import { errorResult, pendingResult, verdictResult } from '../results.ts';
import type { TrendRule } from '../rule-schema.ts';
import { cusum } from '../trend/cusum.ts';
import { ewmaBand } from '../trend/ewma.ts';

export const TREND_DEFAULTS = { alpha: 0.2, ewmaK: 3, cusumK: 0.5, cusumThreshold: 5, minHistory: 10 } as const;
/** The most recent points a trend looks at. */
export const TREND_WINDOW = 500;

interface Series {
  values: number[];
  ids: string[];
}

/**
 * Judges the metric's newest value against its own history (oldest first). The newest point must be a number;
 * older points that are not are left out of the baseline. Pending until minHistory points precede the newest.
 */
export function trendEvaluator(rule: TrendRule): RuleEvaluator {
  const { selector } = rule;
  const minHistory = rule.minHistory ?? TREND_DEFAULTS.minHistory;
  return (context) => {
    const records = newestFirst(context.evidence, (record) => isSelectable(record, selector)).slice(0, TREND_WINDOW);
    const [newest] = records;
    if (newest === undefined) return pendingResult(`no ${describeSelection(selector)} yet`);
    const newestRead = readNumber(newest, selector);
    if ('error' in newestRead) return errorResult(newestRead.error, [newest.id]);

    const series = usableSeries(records.reverse(), rule);
    if (series.values.length < minHistory + 1) {
      const have = `${selectorLabel(selector)} has ${series.values.length} usable points`;
      return pendingResult(`${have}; the ${rule.method} baseline needs ${minHistory} before the newest`, series.ids);
    }
    return rule.method === 'ewma' ? judgeEwma(rule, series, minHistory) : judgeCusum(rule, series, minHistory);
  };
}

function usableSeries(oldestFirst: readonly EvidenceRecord[], rule: TrendRule): Series {
  const series: Series = { values: [], ids: [] };
  for (const record of oldestFirst) {
    const read = readNumber(record, rule.selector);
    if ('value' in read) {
      series.values.push(read.value);
      series.ids.push(record.id);
    }
  }
  return series;
}

function judgeEwma(rule: TrendRule, series: Series, warmup: number): RuleResult {
  const newest = series.values.at(-1) ?? Number.NaN;
  const band = ewmaBand(series.values.slice(0, -1), rule.alpha ?? TREND_DEFAULTS.alpha, warmup);
  const k = rule.k ?? TREND_DEFAULTS.ewmaK;
  const decreaseIsBad = rule.direction === 'decrease_is_bad';
  const limit = band.mean + (decreaseIsBad ? -k : k) * band.standardDeviation;
  const success = decreaseIsBad ? newest >= limit : newest <= limit;
  return verdictResult(
    [
      {
        property: `ewma:${selectorLabel(rule.selector)}`,
        value: newest,
        operator: decreaseIsBad ? '>=' : '<=',
        target: limit,
        success,
      },
    ],
    series.ids,
    `EWMA baseline ${significant(band.mean)} ± ${k} × ${significant(band.standardDeviation)} over ${series.values.length - 1} points`,
  );
}

function judgeCusum(rule: TrendRule, series: Series, warmup: number): RuleResult {
  const threshold = rule.threshold ?? TREND_DEFAULTS.cusumThreshold;
  const outcome = cusum(series.values, {
    warmup,
    slack: rule.k ?? TREND_DEFAULTS.cusumK,
    threshold,
    decreaseIsBad: rule.direction === 'decrease_is_bad',
  });
  const changeId = outcome.changeIndex === undefined ? undefined : series.ids[outcome.changeIndex];
  const success = outcome.changeIndex === undefined;
  return verdictResult(
    [
      {
        property: `cusum:${selectorLabel(rule.selector)}`,
        value: outcome.statistic,
        operator: '<=',
        target: threshold,
        success,
      },
    ],
    series.ids,
    [
      `reference ${significant(outcome.baselineMean)} ± ${significant(outcome.baselineDeviation)} from the first ${warmup} points`,
      changeId && `the shift starts at evidence ${changeId}`,
    ]
      .filter(Boolean)
      .join('; '),
  );
}

/** For the reason text only; details keep the exact numbers the decision used. */
function significant(value: number): number {
  return Number(value.toPrecision(6));
}
