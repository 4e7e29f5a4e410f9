import { describe, expect, it } from 'vitest';
import { parseJsonSafely } from '../src/index.ts';
import { expectAdapterError } from './helpers.ts';

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

describe('parseJsonSafely', () => {
  it('parses ordinary JSON like JSON.parse', () => {
    const text = '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n\\"q\\""], "b": {"c": {}}, "d": []}';
    expect(parseJsonSafely(text)).toEqual(JSON.parse(text));
  });

  it('reads the NaN and Infinity tokens Python writes, and numbers beyond a double, as null', () => {
    expect(parseJsonSafely('{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1e999}')).toEqual({
      a: null,
      b: null,
      c: null,
      d: null,
    });
  });

  it('accepts 64 levels of nesting and refuses 65 with too_deep', () => {
    expect(() => parseJsonSafely(nested(64))).not.toThrow();
    const error = expectAdapterError(() => parseJsonSafely(nested(65)), 'too_deep', '[0]'.repeat(64));
    expect(error.message).toContain('64');
  });

  it('stops a hostile 100k-deep document without exhausting the stack', () => {
    expectAdapterError(() => parseJsonSafely(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`), 'too_deep');
  });

  it('honours a custom depth limit', () => {
    expectAdapterError(() => parseJsonSafely('{"a": {"b": {"c": 1}}}', 2), 'too_deep', 'a.b');
  });

  it.each([
    ['{"__proto__": {"polluted": true}}', '__proto__'],
    ['{"metrics": [{"result": {"constructor": {"prototype": 1}}}]}', 'metrics[0].result.constructor'],
    ['{"a": {"prototype": 1}}', 'a.prototype'],
  ])('refuses prototype-reaching keys: %s', (text, field) => {
    expectAdapterError(() => parseJsonSafely(text), 'forbidden_key', field);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports malformed JSON with its line and column', () => {
    const error = expectAdapterError(() => parseJsonSafely('{\n  "a": 1,\n  "b": tru\n}'), 'malformed');
    expect({ line: error.line, column: error.column }).toEqual({ line: 3, column: 8 });
    expect(error.message).toContain('line 3, column 8');
  });

  it.each([
    ['', 'the input is empty'],
    ['{"a": 1} x', 'unexpected content after the JSON value'],
    ['{"a": 1,}', 'expected a double-quoted property name'],
    ['["a\u0001"]', 'control character in a string'],
    ['["\\x"]', 'invalid escape sequence'],
    ['{"a" 1}', 'expected ":"'],
    ['[1 2]', 'expected "," or "]"'],
    ['"open', 'unterminated string'],
  ])('refuses %j as malformed', (text, message) => {
    const error = expectAdapterError(() => parseJsonSafely(text), 'malformed');
    expect(error.message).toContain(message);
  });
});
