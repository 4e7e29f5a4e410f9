import { parseDocument } from 'yaml';
import { AdapterError } from '../adapter-error.ts';
import { assertSafeTree, DEFAULT_MAX_DEPTH } from './tree-limits.ts';

/** Few aliases are legitimate in tool outputs; many are how "billion laughs" documents exhaust memory. */
const MAX_ALIAS_COUNT = 16;

export interface YamlParseOptions {
  maxDepth?: number;
  /** Added to reported line numbers when the YAML was cut out of a larger text (front matter). */
  lineOffset?: number;
}

/**
 * Parses one YAML document with the YAML 1.2 core schema only: no custom or language-specific tags (`!!python/...`),
 * unique keys, few aliases, and the same depth and key limits as JSON.
 */
export function parseYamlSafely(text: string, options: YamlParseOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const lineOffset = options.lineOffset ?? 0;
  const document = guardRecursion(maxDepth, () =>
    parseDocument(text, { schema: 'core', strict: true, uniqueKeys: true, prettyErrors: true }),
  );
  const [error] = document.errors;
  if (error) {
    const position = error.linePos?.[0];
    const line = position ? position.line + lineOffset : undefined;
    const message = (error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '');
    throw new AdapterError(
      'malformed',
      `malformed YAML: ${message}${position ? ` at line ${line}, column ${position.col}` : ''}`,
      { line, column: position?.col },
    );
  }
  const unresolvedTag = document.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (unresolvedTag) {
    const position = unresolvedTag.linePos?.[0];
    throw new AdapterError('malformed', 'malformed YAML: custom or language-specific tags are not accepted', {
      line: position ? position.line + lineOffset : undefined,
      column: position?.col,
    });
  }
  const value = guardRecursion(maxDepth, () => {
    try {
      return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (cause) {
      if (cause instanceof ReferenceError) {
        throw new AdapterError('malformed', `malformed YAML: more than ${MAX_ALIAS_COUNT} alias expansions`);
      }
      throw cause;
    }
  });
  assertSafeTree(value, maxDepth);
  return value;
}

/** The yaml package recurses per nesting level; a pathological document overflows the stack before our walk runs. */
function guardRecursion<T>(maxDepth: number, run: () => T): T {
  try {
    return run();
  } catch (cause) {
    if (cause instanceof RangeError) {
      throw new AdapterError('too_deep', `nesting deeper than ${maxDepth} levels`);
    }
    throw cause;
  }
}
