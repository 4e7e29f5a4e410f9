import { parse, plan, type CelInput, type CelResult } from '@bufbuild/cel';
import type { EvidenceKind } from '@cabc/contracts';
import { RuleCompileError } from '../compile-error.ts';
import { LruCache } from '../lru-cache.ts';
import { estimateCelCost } from './cost-estimate.ts';
import { celEnvironment } from './environment.ts';
import { typeName } from './static-types.ts';
import { checkExpression } from './type-check.ts';
import { expressionGlobals } from './variables.ts';

export interface CelProgram {
  run: (variables: Record<string, CelInput>) => CelResult;
  readsHistory: boolean;
  /** The static upper bound on its work (cost-estimate.ts). */
  estimatedCost: number;
}

/** The estimated cost above which an expression is refused when its rule is compiled. */
export const DEFAULT_CEL_COST_LIMIT = 1_000_000;

const PROGRAM_CACHE_SIZE = 1000;
const programs = new LruCache<string, CelProgram>(PROGRAM_CACHE_SIZE);

/**
 * Parses, type-checks and plans an expression once; later calls with the same text and kinds reuse the program.
 * The kinds are part of the key because they decide which `latest.<kind>` the expression may read.
 * Throws RuleCompileError with fields relative to the rule (`expression`, `kinds`).
 */
export function compileCelProgram(
  expression: string,
  kinds: readonly EvidenceKind[],
  costLimit = DEFAULT_CEL_COST_LIMIT,
): CelProgram {
  const key = `${[...kinds].sort().join(',')}\n${expression}`;
  const program = programs.get(key) ?? compileUncached(expression, kinds);
  programs.set(key, program);
  if (program.estimatedCost > costLimit) {
    throw new RuleCompileError([
      {
        field: 'expression',
        message: `the expression's estimated cost is ${program.estimatedCost}, over the limit of ${costLimit}; iterate over fewer or smaller lists`,
      },
    ]);
  }
  return program;
}

function compileUncached(expression: string, kinds: readonly EvidenceKind[]): CelProgram {
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
  return {
    run: plan(celEnvironment, parsed),
    readsHistory: checked.globalsRead.has('history'),
    estimatedCost: estimateCelCost(parsed, kinds),
  };
}
