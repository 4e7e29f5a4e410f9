import { describe, expect, it } from 'vitest';
import { parseMetricId } from '../src/formats/evidently/metric-id.ts';
import { evidentlyMetricKind } from '../src/formats/evidently/metric-kind.ts';
import { parseMetricValue } from '../src/evidence/metric-value.ts';
import { isoFromEpochMillis, isoFromText } from '../src/evidence/timestamps.ts';

describe('parseMetricValue', () => {
  it.each([
    [0.92, { value: 0.92 }],
    ['0.92', { value: 0.92 }],
    ['~90.5%', { value: 90.5, unit: '%' }],
    ['90.5 %', { value: 90.5, unit: '%' }],
    [' -1e-3 ', { value: -0.001 }],
    ['high', { value: 'high' }],
    ['', { value: null }],
    [null, { value: null }],
    [true, { value: true }],
  ])('reads %j', (raw, expected) => {
    expect(parseMetricValue(raw)).toEqual(expected);
  });
});

describe('timestamps', () => {
  it.each([
    ['2023-06-20 13:32:04.720237', '2023-06-20T13:32:04.720Z'],
    ['2021-08-12T19:14:16.211079+00:00', '2021-08-12T19:14:16.211Z'],
    ['2025-02-01T12:00:00+01:00', '2025-02-01T11:00:00.000Z'],
    ['20210812T181416.573359Z', '2021-08-12T18:14:16.573Z'],
    ['2022-11-09', '2022-11-09T00:00:00.000Z'],
  ])('reads %s as UTC', (text, iso) => {
    expect(isoFromText(text)).toBe(iso);
  });

  it.each(['08/28/2020', 'yesterday', '2023-13-45 10:00:00', 42])('refuses %j', (text) => {
    expect(isoFromText(text)).toBeUndefined();
  });

  it('reads epoch milliseconds given as a number or digits', () => {
    expect(isoFromEpochMillis(1695434326706)).toBe('2023-09-23T01:58:46.706Z');
    expect(isoFromEpochMillis('1695434326706')).toBe('2023-09-23T01:58:46.706Z');
    expect(isoFromEpochMillis('soon')).toBeUndefined();
  });
});

describe('Evidently names', () => {
  it('splits explicit metric ids, keeping list values whole', () => {
    expect(parseMetricId('ValueDrift(column=make_aston martin)')).toEqual({
      name: 'ValueDrift',
      params: { column: 'make_aston martin' },
    });
    expect(parseMetricId('DriftedColumnsCount(columns=a,b,c,drift_share=0.3)')).toEqual({
      name: 'DriftedColumnsCount',
      params: { columns: 'a,b,c', drift_share: '0.3' },
    });
    expect(parseMetricId('RowCount()')).toEqual({ name: 'RowCount', params: {} });
  });

  it.each([
    ['ValueDrift', 'drift'],
    ['DataDriftTable', 'drift'],
    ['Accuracy', 'performance'],
    ['ClassificationQualityMetric', 'performance'],
    ['MeanError', 'performance'],
    ['MeanValue', 'data_quality'],
    ['RowCount', 'data_quality'],
    ['ColumnSummaryMetric', 'data_quality'],
    ['SomethingElse', 'evaluation'],
  ])('classifies %s as %s', (name, kind) => {
    expect(evidentlyMetricKind(name)).toBe(kind);
  });
});
