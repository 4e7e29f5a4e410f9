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
