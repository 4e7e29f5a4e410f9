import type { parse } from '@bufbuild/cel';
import { RuleCompileError } from '../compile-error.ts';
import { overloadsByName, type Overload } from './overloads.ts';
import {
  BOOL,
  BYTES,
  DOUBLE,
  DURATION,
  DYN,
  INT,
  NULL,
  STRING,
  TIMESTAMP,
  TYPE,
  UINT,
  isAssignable,
  join,
  joinAll,
  listOf,
  mapOf,
  typeName,
  type RecordType,
  type StaticType,
} from './static-types.ts';

type ParsedExpr = ReturnType<typeof parse>;
type Expr = ParsedExpr['expr'];
type Call = Extract<Expr['exprKind'], { case: 'callExpr' }>['value'];
type Comprehension = Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'];
type CreateStruct = Extract<Expr['exprKind'], { case: 'structExpr' }>['value'];

export interface CheckedExpression {
  resultType: StaticType;
  /** The global variables the expression reads. */
  globalsRead: ReadonlySet<string>;
}

// Identifiers that name a type, as in `type(x) == double`.
const typeIdentifiers = new Set([
  'bool',
  'int',
  'uint',
  'double',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);

const operatorSymbols: Record<string, string> = {
  '_+_': '+',
  '_-_': '-',
  '_*_': '*',
  '_/_': '/',
  '_%_': '%',
  '-_': 'unary -',
  '!_': '!',
  '_<_': '<',
  '_<=_': '<=',
  '_>_': '>',
  '_>=_': '>=',
  '_==_': '==',
  '_!=_': '!=',
  '@in': 'in',
};

/**
 * A static type check of a parsed CEL expression against declared globals, so a misspelt field, an unknown function
 * or a comparison between incompatible types is refused when the rule is stored rather than when evidence arrives.
 * The CEL library only evaluates; its own checker covers constants and identifiers alone.
 */
export function checkExpression(parsed: ParsedExpr, globals: ReadonlyMap<string, StaticType>): CheckedExpression {
  const checker = new ExpressionChecker(globals, parsed.sourceInfo?.positions ?? {});
  const resultType = checker.check(parsed.expr, new Map());
  return { resultType, globalsRead: checker.globalsRead };
}

type Scope = ReadonlyMap<string, StaticType>;

class ExpressionChecker {
  readonly globalsRead = new Set<string>();
  readonly #globals: ReadonlyMap<string, StaticType>;
  readonly #positions: Record<string, number>;

  constructor(globals: ReadonlyMap<string, StaticType>, positions: Record<string, number>) {
    this.#globals = globals;
    this.#positions = positions;
  }

  check(expr: Expr | undefined, scope: Scope): StaticType {
    if (expr === undefined) return DYN;
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return constantType(kind.value.constantKind.case);
      case 'identExpr':
        return this.#identifier(expr, kind.value.name, scope);
      case 'selectExpr': {
        const operand = this.check(kind.value.operand, scope);
        const fieldType = this.#field(expr, operand, kind.value.field);
        return kind.value.testOnly ? BOOL : fieldType;
      }
      case 'callExpr':
        return this.#call(expr, kind.value, scope);
      case 'listExpr':
        if (kind.value.optionalIndices.length > 0) this.#fail(expr, 'optional list elements are not supported');
        return listOf(joinAll(kind.value.elements.map((element) => this.check(element, scope))));
      case 'structExpr':
        return this.#struct(expr, kind.value, scope);
      case 'comprehensionExpr':
        return this.#comprehension(expr, kind.value, scope);
      default:
        return this.#fail(expr, 'empty expression');
    }
  }

  #identifier(expr: Expr, name: string, scope: Scope): StaticType {
    const local = scope.get(name);
    if (local) return local;
    const global = this.#globals.get(name);
    if (global) {
      this.globalsRead.add(name);
      return global;
    }
    if (typeIdentifiers.has(name)) return TYPE;
    return this.#fail(
      expr,
      `undeclared reference to '${name}'; the variables are ${[...this.#globals.keys()].join(', ')}`,
    );
  }

  #field(expr: Expr, operand: StaticType, field: string): StaticType {
    switch (operand.kind) {
      case 'record':
        return operand.fields.get(field) ?? this.#unknownField(expr, operand, field);
      case 'map':
        if (!isAssignable(STRING, operand.key)) this.#fail(expr, `cannot select '${field}' from ${typeName(operand)}`);
        return operand.value;
      case 'dyn':
        return DYN;
      default:
        return this.#fail(expr, `${typeName(operand)} has no field '${field}'`);
    }
  }

  #unknownField(expr: Expr, record: RecordType, field: string): never {
    const custom = record.unknownField?.(field);
    if (custom) throw new RuleCompileError([{ field: custom.field, message: this.#at(expr, custom.message) }]);
    return this.#fail(expr, `${record.name} has no field '${field}'; it has ${[...record.fields.keys()].join(', ')}`);
  }

  #call(expr: Expr, call: Call, scope: Scope): StaticType {
    const args = call.args.map((arg) => this.check(arg, scope));
    switch (call.function) {
      case '_&&_':
      case '_||_':
      case '!_':
        for (const arg of args) this.#expect(expr, arg, BOOL, `operands of ${call.function.replaceAll('_', '')}`);
        return BOOL;
      case '@not_strictly_false':
        return BOOL;
      case '_?_:_':
        this.#expect(expr, args[0] ?? DYN, BOOL, 'the condition of ?:');
        return join(args[1] ?? DYN, args[2] ?? DYN);
      case '_[_]':
        return this.#index(expr, args[0] ?? DYN, args[1] ?? DYN, call.args[1]);
    }
    const target = call.target === undefined ? undefined : this.check(call.target, scope);
    return this.#overload(expr, call.function, target, args);
  }

  #overload(expr: Expr, name: string, target: StaticType | undefined, args: StaticType[]): StaticType {
    const display = operatorSymbols[name] ?? name;
    const overloads = overloadsByName.get(name);
    if (!overloads) return this.#fail(expr, `undeclared function '${display}'`);
    const matching = overloads.filter((overload) => matches(overload, target, args));
    if (matching.length === 0) {
      const receiver = target === undefined ? '' : `${typeName(target)}.`;
      return this.#fail(
        expr,
        `no matching overload for '${display}' applied to ${receiver}(${args.map(typeName).join(', ')})`,
      );
    }
    return joinAll(matching.map((overload) => overload.result));
  }

  #index(expr: Expr, container: StaticType, key: StaticType, keyExpr: Expr | undefined): StaticType {
    switch (container.kind) {
      case 'list':
        this.#expect(expr, key, INT, 'a list index');
        return container.element;
      case 'map':
        this.#expect(expr, key, container.key, 'the map key');
        return container.value;
      case 'record': {
        this.#expect(expr, key, STRING, 'the key');
        const constant = keyExpr?.exprKind.case === 'constExpr' ? keyExpr.exprKind.value.constantKind : undefined;
        if (constant?.case === 'stringValue') return this.#field(expr, container, constant.value);
        return joinAll([...container.fields.values()]);
      }
      case 'dyn':
        return DYN;
      default:
        return this.#fail(expr, `${typeName(container)} cannot be indexed`);
    }
  }

  #struct(expr: Expr, struct: CreateStruct, scope: Scope): StaticType {
    if (struct.messageName !== '') this.#fail(expr, `creating messages (${struct.messageName}) is not supported`);
    const keys: StaticType[] = [];
    const values: StaticType[] = [];
    for (const entry of struct.entries) {
      if (entry.keyKind.case !== 'mapKey' || entry.optionalEntry) this.#fail(expr, 'unsupported map entry');
      keys.push(this.check(entry.keyKind.value, scope));
      values.push(this.check(entry.value, scope));
    }
    return mapOf(joinAll(keys), joinAll(values));
  }

  #comprehension(expr: Expr, loop: Comprehension, scope: Scope): StaticType {
    if (loop.iterVar2 !== '') this.#fail(expr, 'two-variable comprehensions are not supported');
    const range = this.check(loop.iterRange, scope);
    const accumulator = this.check(loop.accuInit, scope);
    const inner = new Map(scope).set(loop.iterVar, this.#elementType(expr, range)).set(loop.accuVar, accumulator);
    this.check(loop.loopCondition, inner);
    this.check(loop.loopStep, inner);
    return this.check(loop.result, new Map(scope).set(loop.accuVar, accumulator));
  }

  #elementType(expr: Expr, range: StaticType): StaticType {
    switch (range.kind) {
      case 'list':
        return range.element;
      case 'map':
        return range.key;
      case 'record':
        return STRING;
      case 'dyn':
        return DYN;
      default:
        return this.#fail(expr, `cannot iterate over ${typeName(range)}`);
    }
  }

  #expect(expr: Expr, actual: StaticType, expected: StaticType, what: string): void {
    if (!isAssignable(actual, expected))
      this.#fail(expr, `${what} must be ${typeName(expected)}, not ${typeName(actual)}`);
  }

  #fail(expr: Expr, message: string): never {
    throw new RuleCompileError([{ field: 'expression', message: this.#at(expr, message) }]);
  }

  #at(expr: Expr, message: string): string {
    const offset = this.#positions[expr.id.toString()];
    return offset === undefined ? message : `${message} (at character ${offset + 1})`;
  }
}

function matches(overload: Overload, target: StaticType | undefined, args: readonly StaticType[]): boolean {
  if ((overload.target === undefined) !== (target === undefined)) return false;
  if (overload.target && target && !isAssignable(target, overload.target)) return false;
  return (
    overload.args.length === args.length && args.every((arg, index) => isAssignable(arg, overload.args[index] ?? DYN))
  );
}

function constantType(kind: string | undefined): StaticType {
  switch (kind) {
    case 'boolValue':
      return BOOL;
    case 'int64Value':
      return INT;
    case 'uint64Value':
      return UINT;
    case 'doubleValue':
      return DOUBLE;
    case 'stringValue':
      return STRING;
    case 'bytesValue':
      return BYTES;
    case 'nullValue':
      return NULL;
    case 'durationValue':
      return DURATION;
    case 'timestampValue':
      return TIMESTAMP;
    default:
      return DYN;
  }
}
