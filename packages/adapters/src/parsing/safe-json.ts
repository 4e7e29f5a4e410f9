import { AdapterError } from '../adapter-error.ts';
import type { PathSegment } from './json-path.ts';
import { assertAllowedKey, DEFAULT_MAX_DEPTH, tooDeep } from './tree-limits.ts';

/**
 * Parses JSON text with a nesting-depth limit and refuses prototype-reaching keys, reporting line and column on
 * syntax errors. It also reads the `NaN`, `Infinity` and `-Infinity` tokens Python's json module writes, as null,
 * and turns numbers too large for a double into null: evidence values must be finite.
 */
export function parseJsonSafely(text: string, maxDepth: number = DEFAULT_MAX_DEPTH): unknown {
  return new JsonParser(text, maxDepth).parseDocument();
}

const whitespace = /[ \t\n\r]*/y;
const numberToken = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const plainRun = /[^"\\\u0000-\u001f]*/y;
const escapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const literals: [string, unknown][] = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', null],
  ['Infinity', null],
  ['-Infinity', null],
];

class JsonParser {
  private readonly text: string;
  private readonly maxDepth: number;
  private readonly path: PathSegment[] = [];
  private index = 0;

  constructor(text: string, maxDepth: number) {
    this.text = text;
    this.maxDepth = maxDepth;
  }

  parseDocument(): unknown {
    this.skipWhitespace();
    if (this.index >= this.text.length) throw this.syntaxError('the input is empty');
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.index < this.text.length) throw this.syntaxError('unexpected content after the JSON value');
    return value;
  }

  private parseValue(depth: number): unknown {
    const char = this.text[this.index];
    if (char === '{') return this.parseObject(depth + 1);
    if (char === '[') return this.parseArray(depth + 1);
    if (char === '"') return this.parseString();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      if (this.text.startsWith('-Infinity', this.index)) return this.parseLiteral();
      return this.parseNumber();
    }
    return this.parseLiteral();
  }

  private parseObject(depth: number): Record<string, unknown> {
    if (depth > this.maxDepth) throw tooDeep(this.maxDepth, this.path);
    const result: Record<string, unknown> = {};
    this.index += 1;
    this.skipWhitespace();
    if (this.consume('}')) return result;
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.index] !== '"') throw this.syntaxError('expected a double-quoted property name');
      const key = this.parseString();
      assertAllowedKey(key, this.path);
      this.skipWhitespace();
      if (!this.consume(':')) throw this.syntaxError('expected ":" after a property name');
      this.skipWhitespace();
      this.path.push(key);
      result[key] = this.parseValue(depth);
      this.path.pop();
      this.skipWhitespace();
      if (this.consume('}')) return result;
      if (!this.consume(',')) throw this.syntaxError('expected "," or "}" in an object');
    }
  }

  private parseArray(depth: number): unknown[] {
    if (depth > this.maxDepth) throw tooDeep(this.maxDepth, this.path);
    const result: unknown[] = [];
    this.index += 1;
    this.skipWhitespace();
    if (this.consume(']')) return result;
    for (;;) {
      this.skipWhitespace();
      this.path.push(result.length);
      result.push(this.parseValue(depth));
      this.path.pop();
      this.skipWhitespace();
      if (this.consume(']')) return result;
      if (!this.consume(',')) throw this.syntaxError('expected "," or "]" in an array');
    }
  }

  private parseString(): string {
    this.index += 1;
    let result = '';
    for (;;) {
      plainRun.lastIndex = this.index;
      plainRun.exec(this.text);
      result += this.text.slice(this.index, plainRun.lastIndex);
      this.index = plainRun.lastIndex;
      const char = this.text[this.index];
      if (char === '"') {
        this.index += 1;
        return result;
      }
      if (char === undefined) throw this.syntaxError('unterminated string');
      if (char !== '\\') throw this.syntaxError('control character in a string');
      result += this.parseEscape();
    }
  }

  private parseEscape(): string {
    const char = this.text[this.index + 1];
    if (char === 'u') {
      const hex = this.text.slice(this.index + 2, this.index + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.syntaxError('invalid \\u escape');
      this.index += 6;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    const replacement = char === undefined ? undefined : escapes[char];
    if (replacement === undefined) throw this.syntaxError('invalid escape sequence');
    this.index += 2;
    return replacement;
  }

  private parseNumber(): number | null {
    numberToken.lastIndex = this.index;
    const match = numberToken.exec(this.text);
    if (!match) throw this.syntaxError('invalid number');
    this.index = numberToken.lastIndex;
    const value = Number(match[0]);
    return Number.isFinite(value) ? value : null;
  }

  private parseLiteral(): unknown {
    for (const [token, value] of literals) {
      if (this.text.startsWith(token, this.index)) {
        this.index += token.length;
        return value;
      }
    }
    const found = this.text[this.index];
    const message = found === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(found)}`;
    throw this.syntaxError(message);
  }

  private consume(char: string): boolean {
    if (this.text[this.index] !== char) return false;
    this.index += 1;
    return true;
  }

  private skipWhitespace(): void {
    whitespace.lastIndex = this.index;
    whitespace.exec(this.text);
    this.index = whitespace.lastIndex;
  }

  private syntaxError(message: string): AdapterError {
    const before = this.text.slice(0, this.index);
    const line = before.split('\n').length;
    const column = this.index - before.lastIndexOf('\n');
    return new AdapterError('malformed', `malformed JSON: ${message} at line ${line}, column ${column}`, {
      line,
      column,
    });
  }
}
