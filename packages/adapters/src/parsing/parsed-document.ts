import { AdapterError } from '../adapter-error.ts';
import { splitFrontMatter } from './front-matter.ts';
import { parseJsonSafely } from './safe-json.ts';
import { parseYamlSafely } from './safe-yaml.ts';

export type Syntax = 'json' | 'yaml' | 'markdown';

export interface MarkdownDocument {
  frontMatter: unknown;
  body: string;
}

export interface ParsedDocument {
  syntax: Syntax;
  /** The parsed JSON or YAML value; for Markdown, a {@link MarkdownDocument}. */
  value: unknown;
}

/** Guesses the syntax from the first characters; it never decides the format. */
export function sniffSyntax(text: string): Syntax {
  const start = text.trimStart();
  if (/^[{["]/.test(start)) return 'json';
  if (splitFrontMatter(text) !== undefined) return 'markdown';
  return 'yaml';
}

export function assertNotEmpty(text: string): void {
  if (text.trim() === '') throw new AdapterError('malformed', 'the input is empty');
}

export function parseAs(syntax: Syntax, text: string): ParsedDocument {
  assertNotEmpty(text);
  if (syntax === 'json') return { syntax, value: isJsonLines(text) ? parseJsonLines(text) : parseJsonOnce(text) };
  if (syntax === 'yaml') return { syntax, value: parseYamlSafely(text) };
  const split = splitFrontMatter(text);
  if (!split) throw new AdapterError('invalid', 'the Markdown file has no YAML front matter (a block fenced by ---)');
  const frontMatter = parseYamlSafely(split.yaml, { lineOffset: split.yamlLineOffset });
  const document: MarkdownDocument = { frontMatter, body: split.body };
  return { syntax, value: document };
}

const parseJsonOnce = (text: string) => unwrapDoubleEncoded(parseJsonSafely(text));

/** JSON Lines (`.intoto.jsonl`): one object per line; a top-level `}` followed by a line starting `{`. */
function isJsonLines(text: string): boolean {
  return /\}[ \t]*\r?\n\s*\{/.test(text);
}

/** The lines of a JSON Lines text as an array, or the text as one JSON document when it is not JSON Lines after all. */
function parseJsonLines(text: string): unknown {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  try {
    return lines.map((line) => parseJsonSafely(line));
  } catch (error) {
    if (error instanceof AdapterError && error.code === 'malformed') return parseJsonOnce(text);
    throw error;
  }
}

/**
 * Some tools serialise their JSON a second time (deepchecks' `SuiteResult.to_json()` output written with
 * `json.dump`), so a JSON string that itself holds an object or array is parsed once more, under the same limits.
 */
function unwrapDoubleEncoded(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[{[]/.test(value)) return value;
  try {
    return parseJsonSafely(value);
  } catch (cause) {
    if (cause instanceof AdapterError) {
      throw new AdapterError(cause.code, `${cause.message} (inside the double-encoded JSON string)`, cause);
    }
    throw cause;
  }
}
