import type { CelType } from '@bufbuild/cel';

/** The types the expression checker reasons about; `dyn` is known only at run time. */
export type StaticType =
  | {
      kind:
        | 'bool'
        | 'int'
        | 'uint'
        | 'double'
        | 'string'
        | 'bytes'
        | 'null'
        | 'timestamp'
        | 'duration'
        | 'type'
        | 'dyn';
    }
  | { kind: 'list'; element: StaticType }
  | { kind: 'map'; key: StaticType; value: StaticType }
  | RecordType;

/**
 * A value with a fixed set of fields, like a protobuf message. At run time it is a plain object, which CEL sees as a
 * map, but knowing its fields lets the checker refuse a misspelt field at compile time.
 */
export interface RecordType {
  kind: 'record';
  name: string;
  fields: ReadonlyMap<string, StaticType>;
  /** The message for a field the record does not have, when a better one than the default exists. */
  unknownField?: (field: string) => { field: string; message: string };
}

export const BOOL: StaticType = { kind: 'bool' };
export const INT: StaticType = { kind: 'int' };
export const UINT: StaticType = { kind: 'uint' };
export const DOUBLE: StaticType = { kind: 'double' };
export const STRING: StaticType = { kind: 'string' };
export const BYTES: StaticType = { kind: 'bytes' };
export const NULL: StaticType = { kind: 'null' };
export const TIMESTAMP: StaticType = { kind: 'timestamp' };
export const DURATION: StaticType = { kind: 'duration' };
export const TYPE: StaticType = { kind: 'type' };
export const DYN: StaticType = { kind: 'dyn' };

export const listOf = (element: StaticType): StaticType => ({ kind: 'list', element });
export const mapOf = (key: StaticType, value: StaticType): StaticType => ({ kind: 'map', key, value });
export const recordOf = (
  name: string,
  fields: Record<string, StaticType>,
  unknownField?: RecordType['unknownField'],
): RecordType => ({
  kind: 'record',
  name,
  fields: new Map(Object.entries(fields)),
  ...(unknownField ? { unknownField } : {}),
});

const RECORD_AS_MAP = mapOf(STRING, DYN);

export function typeName(type: StaticType): string {
  switch (type.kind) {
    case 'list':
      return `list(${typeName(type.element)})`;
    case 'map':
      return `map(${typeName(type.key)}, ${typeName(type.value)})`;
    case 'record':
      return type.name;
    case 'null':
      return 'null_type';
    default:
      return type.kind;
  }
}

/** Whether a value of type `actual` may be passed where `expected` is declared; `dyn` matches anything. */
export function isAssignable(actual: StaticType, expected: StaticType): boolean {
  if (actual.kind === 'dyn' || expected.kind === 'dyn') return true;
  if (actual.kind === 'record') {
    if (expected.kind === 'record') return actual.name === expected.name;
    return isAssignable(RECORD_AS_MAP, expected);
  }
  if (actual.kind === 'list' && expected.kind === 'list') return isAssignable(actual.element, expected.element);
  if (actual.kind === 'map' && expected.kind === 'map') {
    return isAssignable(actual.key, expected.key) && isAssignable(actual.value, expected.value);
  }
  return actual.kind === expected.kind;
}

/** The type of a value that is either `a` or `b`. */
export function join(a: StaticType, b: StaticType): StaticType {
  return typeName(a) === typeName(b) ? a : DYN;
}

export function joinAll(types: readonly StaticType[]): StaticType {
  const [first, ...rest] = types;
  return first === undefined ? DYN : rest.reduce(join, first);
}

const scalarByName: Record<string, StaticType> = {
  bool: BOOL,
  int: INT,
  uint: UINT,
  double: DOUBLE,
  string: STRING,
  bytes: BYTES,
  null_type: NULL,
  type: TYPE,
  dyn: DYN,
  'google.protobuf.Timestamp': TIMESTAMP,
  'google.protobuf.Duration': DURATION,
};

/** Translates the CEL library's declared function types. */
export function fromCelType(type: CelType): StaticType {
  switch (type.kind) {
    case 'list':
      return listOf(fromCelType(type.element));
    case 'map':
      return mapOf(fromCelType(type.key), fromCelType(type.value));
    default:
      return scalarByName[type.name] ?? DYN;
  }
}
