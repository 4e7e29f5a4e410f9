import { describe, expect, it } from 'vitest';
import {
  compileRule,
  evaluate,
  evidenceDepth,
  evidenceWants,
  FILTERED_SELECTOR_DEPTH,
  HISTORY_LIMIT,
  TREND_WINDOW,
  type EvidenceRecord,
} from '../src/index.ts';

describe('evidenceDepth: how much history a rule reads', () => {
  it('is one evidence for rules that read the newest evidence only', () => {
    // A threshold reads the newest evidence that carries its measurement: one, when the loader filters on `match`.
    const threshold = compileRule({
      type: 'threshold',
      selector: { kind: 'performance', metric: ['accuracy', 'acc'], dataset: 'holdout' },
      operator: '>=',
      target: 0.9,
    }).rule;
    expect(evidenceWants(threshold)).toEqual([
      { kind: 'performance', depth: 1, match: { metrics: ['accuracy', 'acc'], slice: null, dataset: 'holdout' } },
    ]);
    expect(evidenceDepth(threshold)).toBe(FILTERED_SELECTOR_DEPTH);
    expect(evidenceDepth(compileRule({ type: 'checks', kind: 'data_quality', allowWarnings: true }).rule)).toBe(1);
    expect(evidenceDepth(compileRule({ type: 'freshness', kind: 'performance', maxAge: 'P1D' }).rule)).toBe(1);
    expect(evidenceDepth(compileRule({ type: 'drift' }).rule)).toBe(1);
  });

  it('looks further back for filtered selectors, CEL history and trends', () => {
    expect(
      evidenceDepth(
        compileRule({
          type: 'threshold',
          selector: { kind: 'performance', metric: 'f1', dataset: 'holdout' },
          operator: '>=',
          target: 0.9,
        }).rule,
      ),
    ).toBe(FILTERED_SELECTOR_DEPTH);
    expect(
      evidenceDepth(
        compileRule({ type: 'expression', kinds: ['performance'], expression: 'size(history.performance) > 2' }).rule,
      ),
    ).toBe(HISTORY_LIMIT);
    expect(
      evidenceDepth(
        compileRule({
          type: 'trend',
          selector: { kind: 'performance', metric: 'accuracy' },
          direction: 'decrease_is_bad',
          method: 'ewma',
        }).rule,
      ),
    ).toBe(TREND_WINDOW);
  });

  it('gives the same result on the depth-limited newest evidence as on the whole history', () => {
    const record = (index: number, accuracy: number): EvidenceRecord => ({
      id: `e${index}`,
      receivedAt: new Date(1_700_000_000_000 + index * 1000),
      subjects: [],
      predicate: {
        toe: 't',
        kind: 'performance',
        producer: { tool: 'x' },
        observedAt: new Date(1_700_000_000_000 + index * 1000).toISOString(),
        context: {},
        measurements: [{ name: 'accuracy', value: accuracy }],
        checks: [],
      },
    });
    const history = Array.from({ length: 40 }, (_, index) => record(index, index % 3 === 0 ? 0.5 : 0.95));
    const rule = compileRule({
      type: 'threshold',
      selector: { kind: 'performance', metric: 'accuracy' },
      operator: '>=',
      target: 0.9,
    });
    const newestFirst = [...history].sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
    const scope = { modelDigests: [], datasetDigests: [] };
    const full = evaluate(rule, { now: new Date(), evidence: history, scope });
    const limited = evaluate(rule, {
      now: new Date(),
      evidence: newestFirst.slice(0, evidenceDepth(rule.rule)),
      scope,
    });
    expect(limited).toEqual(full);
  });
});
