import { parse, plan, type CelInput, type CelResult } from '@bufbuild/cel';
import type { EvidenceKind } from '@cabc/contracts';
import { RuleCompileError } from '../compile-error.ts';
import { LruCache } from '../lru-cache.ts';
import { celEnvironment } from './environment.ts';
import { typeName } from './static-types.ts';
import { checkExpression } from './type-check.ts';
import { expressionGlobals } from './variables.ts';

export interface CelProgram {
  run: (variables: Record<string, CelInput>) => CelResult;
  readsHistory: boolean;
}

const PROGRAM_CACHE_SIZE = 1000;
const programs = new LruCache<string, CelProgram>(PROGRAM_CACHE_SIZE);

/**
 * Parses, type-checks and plans an expression once; later calls with the same text and kinds reuse the program.
 * The kinds are part of the key because they decide which `latest.<kind>` the expression may read.
 * Throws RuleCompileError with fields relative to the rule (`expression`, `kinds`).
 */
export function compileCelProgram(expression: string, kinds: readonly EvidenceKind[]): CelProgram {
  const key = `${[...kinds].sort().join(',')}\n${expression}`;
  const cached = programs.get(key);
  if (cached) return cached;

  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^<input>:/, 'line:column ') : String(error);
    throw new RuleCompileError([{ field: 'expression', message: `CEL syntax error: ${detail}` }]);
  }
  const checked = checkExpression(parsed, expressionGlobals(kinds));
  // A result known only at run time (dyn) is refused too: `metrics.flag == true` states what a bare `metrics.flag`
  // leaves to the evidence.
  if (checked.resultType.kind !== 'bool') {
    const hint = checked.resultType.kind === 'dyn' ? '; compare the value (e.g. `== true`) so the result is bool' : '';
    throw new RuleCompileError([
      {
        field: 'expression',
        message: `the expression must return bool, but returns ${typeName(checked.resultType)}${hint}`,
      },
    ]);
  }
  const program: CelProgram = { run: plan(celEnvironment, parsed), readsHistory: checked.globalsRead.has('history') };
  programs.set(key, program);
  return program;
}
