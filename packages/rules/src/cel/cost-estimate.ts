import type { parse } from '@bufbuild/cel';
import { EVIDENCE_LIMITS, type EvidenceKind } from '@cabc/contracts';
import { HISTORY_LIMIT } from './variables.ts';

type ParsedExpr = ReturnType<typeof parse>;
type Expr = ParsedExpr['expr'];
type Comprehension = Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'];

/**
 * The worst-case size of a value: the number of elements of a list or map, the length of a string, and the shapes
 * of what it holds. Sizes come from the caps on evidence (EVIDENCE_LIMITS, HISTORY_LIMIT, the schema's string caps),
 * so a bound here holds for every evidence the services accept.
 */
interface Shape {
  size: number;
  element?: Shape;
  fields?: ReadonlyMap<string, Shape>;
}

const SCALAR: Shape = { size: 1 };
// The longest string a piece of evidence can hold (a check's detail) and the longest an expression can write.
const LONGEST_STRING = 4096;
const STRING_SHAPE: Shape = { size: LONGEST_STRING };
// A value the estimator cannot size (dyn): as large as the largest list in evidence.
const UNKNOWN: Shape = { size: EVIDENCE_LIMITS.measurements, element: STRING_SHAPE };

const record = (fields: Record<string, Shape>): Shape => ({
  size: Math.max(1, Object.keys(fields).length),
  fields: new Map(Object.entries(fields)),
});
const listOf = (size: number, element: Shape): Shape => ({ size, element });

const evidenceShape = record({
  id: STRING_SHAPE,
  kind: STRING_SHAPE,
  observedAt: SCALAR,
  receivedAt: SCALAR,
  producer: record({}),
  context: record({}),
  metrics: { size: EVIDENCE_LIMITS.measurements, element: STRING_SHAPE },
  measurements: listOf(EVIDENCE_LIMITS.measurements, record({})),
  checks: listOf(EVIDENCE_LIMITS.checks, record({})),
  subjects: listOf(EVIDENCE_LIMITS.subjects, record({})),
});

function globalShapes(kinds: readonly EvidenceKind[]): ReadonlyMap<string, Shape> {
  const byKind = (shape: Shape) => record(Object.fromEntries(kinds.map((kind) => [kind, shape])));
  return new Map([
    ['latest', byKind(evidenceShape)],
    ['history', byKind(listOf(HISTORY_LIMIT, evidenceShape))],
    ['now', SCALAR],
  ]);
}

// Functions whose work grows with the length of their string or list arguments (one unit per ten characters, as
// cel-go counts string traversal); everything else costs one unit per call.
const traversing = new Set([
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'indexOf',
  'lastIndexOf',
  'lowerAscii',
  'upperAscii',
  'replace',
  'split',
  'substring',
  'trim',
  'join',
  'quote',
  'format',
  'reverse',
  'charAt',
  'string',
  '_+_',
]);
// Comparisons stop at the end of the shorter operand.
const comparing = new Set(['_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_']);

interface Estimate {
  cost: number;
  shape: Shape;
}

type Scope = ReadonlyMap<string, Shape>;

/**
 * A static upper bound on the work an expression does, in evaluation steps: every node costs one, a comprehension
 * costs its body times the worst-case size of what it iterates, `in` on a list costs the list's size, and string
 * functions cost their input's length / 10. The CEL library has no cost API, so this is ours; it follows cel-go's
 * estimator in spirit.
 */
export function estimateCelCost(parsed: ParsedExpr, kinds: readonly EvidenceKind[]): number {
  return estimate(parsed.expr, globalShapes(kinds)).cost;
}

function estimate(expr: Expr | undefined, scope: Scope): Estimate {
  if (expr === undefined) return { cost: 0, shape: SCALAR };
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr': {
      const constant = kind.value.constantKind;
      const size = constant.case === 'stringValue' || constant.case === 'bytesValue' ? constant.value.length : 1;
      return { cost: 1, shape: { size } };
    }
    case 'identExpr':
      return { cost: 1, shape: scope.get(kind.value.name) ?? UNKNOWN };
    case 'selectExpr': {
      const operand = estimate(kind.value.operand, scope);
      return { cost: operand.cost + 1, shape: fieldOf(operand.shape, kind.value.field) };
    }
    case 'callExpr': {
      // A global call (`_+_`, `_?_:_`, `dyn`) has no target: its first part is its first argument.
      const present = [kind.value.target, ...kind.value.args].filter((part) => part !== undefined);
      const parts = present.map((part) => estimate(part, scope));
      const cost = parts.reduce((sum, part) => sum + part.cost, 1);
      return callEstimate(kind.value.function, cost, parts);
    }
    case 'listExpr': {
      const elements = kind.value.elements.map((element) => estimate(element, scope));
      return {
        cost: elements.reduce((sum, element) => sum + element.cost, 1),
        shape: { size: elements.length, element: largest(elements.map((element) => element.shape)) },
      };
    }
    case 'structExpr': {
      let cost = 1;
      const values: Shape[] = [];
      for (const entry of kind.value.entries) {
        const value = estimate(entry.value, scope);
        const key = entry.keyKind.case === 'mapKey' ? estimate(entry.keyKind.value, scope).cost : 0;
        cost += key + value.cost;
        values.push(value.shape);
      }
      return { cost, shape: { size: values.length, element: largest(values) } };
    }
    case 'comprehensionExpr':
      return comprehension(kind.value, scope);
    default:
      return { cost: 1, shape: SCALAR };
  }
}

function fieldOf(shape: Shape, field: string): Shape {
  return shape.fields?.get(field) ?? shape.element ?? (shape.fields ? STRING_SHAPE : UNKNOWN);
}

function callEstimate(name: string, cost: number, parts: Estimate[]): Estimate {
  const [first, second] = parts.filter((part) => part !== undefined);
  const widest = Math.max(0, ...parts.map((part) => part.shape.size));
  switch (name) {
    case '_[_]':
      return { cost, shape: first?.shape.element ?? (first ? fieldOf(first.shape, '') : UNKNOWN) };
    case '@in':
      return { cost: cost + (second?.shape.size ?? 0), shape: SCALAR };
    case '_+_':
      return {
        cost: cost + Math.ceil(widest / 10),
        shape: {
          size: (first?.shape.size ?? 0) + (second?.shape.size ?? 0),
          element: largest([first?.shape.element, second?.shape.element]),
        },
      };
    case 'split':
      return { cost: cost + Math.ceil(widest / 10), shape: listOf(first?.shape.size ?? LONGEST_STRING, STRING_SHAPE) };
    case 'size':
      return { cost, shape: SCALAR };
    // What passes a value on keeps its size: a loop over `dyn(list)` or `c ? list : []` costs what one over the list does.
    case 'dyn':
      return { cost, shape: first?.shape ?? UNKNOWN };
    case '_?_:_':
      return { cost, shape: largest(parts.slice(1).map((part) => part.shape)) };
  }
  if (comparing.has(name)) {
    const shortest = Math.min(...parts.map((part) => part.shape.size));
    return { cost: cost + Math.ceil(shortest / 10), shape: SCALAR };
  }
  if (traversing.has(name)) return { cost: cost + Math.ceil(widest / 10), shape: { size: widest } };
  return { cost, shape: SCALAR };
}

function comprehension(loop: Comprehension, scope: Scope): Estimate {
  const range = estimate(loop.iterRange, scope);
  const init = estimate(loop.accuInit, scope);
  const element = range.shape.fields && !range.shape.element ? STRING_SHAPE : (range.shape.element ?? UNKNOWN);
  const firstPass = new Map(scope).set(loop.iterVar, element).set(loop.accuVar, init.shape);
  const stepShape = estimate(loop.loopStep, firstPass).shape;
  // An accumulator grows by at most one step per element (map, filter); it is sized as if every element added one.
  const accumulator: Shape = {
    size: Math.max(init.shape.size, stepShape.size * range.shape.size),
    ...(stepShape.element || init.shape.element ? { element: largest([stepShape.element, init.shape.element]) } : {}),
  };
  const inner = new Map(scope).set(loop.iterVar, element).set(loop.accuVar, accumulator);
  const perElement = estimate(loop.loopCondition, inner).cost + estimate(loop.loopStep, inner).cost;
  const result = estimate(loop.result, new Map(scope).set(loop.accuVar, accumulator));
  return { cost: range.cost + init.cost + range.shape.size * perElement + result.cost, shape: result.shape };
}

function largest(shapes: readonly (Shape | undefined)[]): Shape {
  let best: Shape = SCALAR;
  for (const shape of shapes) if (shape && shape.size >= best.size) best = shape;
  return best;
}
