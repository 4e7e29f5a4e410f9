import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/index.ts';

const HOUR = 3_600_000;

describe('parseDuration', () => {
  it.each([
    ['30d', 30 * 24 * HOUR],
    ['12h', 12 * HOUR],
    ['90m', 90 * 60_000],
    ['45s', 45_000],
    ['2w', 14 * 24 * HOUR],
    ['P30D', 30 * 24 * HOUR],
    ['PT12H', 12 * HOUR],
    ['P1W', 7 * 24 * HOUR],
    ['P1DT6H30M', 30.5 * HOUR],
    ['PT0.5S', 500],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ms });
  });

  it.each(['', 'P', 'PT', '30', '30 d', '1y', 'P1M', 'P1Y', 'PT-5H', '0d', 'soon'])('refuses %j', (text) => {
    expect(parseDuration(text)).toHaveProperty('error');
  });
});

describe('parseDuration for operator settings', () => {
  const setting = { milliseconds: true, bareMilliseconds: true, zero: true };

  it.each([
    ['250ms', 250],
    ['250', 250],
    [' 5s ', 5_000],
    ['0', 0],
    ['0s', 0],
    ['7d', 7 * 24 * HOUR],
  ])('%j', (text, ms) => {
    expect(parseDuration(text, setting)).toEqual({ ms });
  });

  it.each(['', 'ms', '-5s', '1y', 'soon', '5 s'])('refuses %j', (text) => {
    expect(parseDuration(text, setting)).toHaveProperty('error');
  });

  it('keeps milliseconds and bare numbers out of scope documents', () => {
    expect(parseDuration('500ms')).toHaveProperty('error');
    expect(parseDuration('500ms', { milliseconds: true })).toEqual({ ms: 500 });
    expect(parseDuration('500', { milliseconds: true })).toHaveProperty('error');
  });
});
