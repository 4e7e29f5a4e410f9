import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Strings an attacker or a broken tool would put anywhere: control characters, surrogates, huge, prototype names. */
export const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '', ' ', '__proto__', 'constructor', 'NaN', '-0'),
  fc.constantFrom('9'.repeat(400), 'x'.repeat(70_000), '{"a":', '1e309', '0x10', '2026-13-45T99:99:99Z'),
);

/** Values to drop into a document: anything JSON, hostile strings, extreme numbers, deep nests. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  hostileString,
  fc.constantFrom<Json>(2 ** 31, -(2 ** 53), Number.MAX_VALUE, 1e-320, [], {}, [[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]),
  fc.integer({ min: 1, max: 200 }).map((depth) => {
    let nested: Json = 'bottom';
    for (let level = 0; level < depth; level += 1) nested = { n: nested };
    return nested;
  }),
);

export type Mutation =
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'delete'; at: number }
  | { kind: 'insert'; at: number; key: string; value: Json }
  | { kind: 'duplicate'; at: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), key: hostileString, value: hostileValue }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
);

/** Every place in a document: the container and the key or index of a value in it. */
function placesOf(root: Json): { parent: Json[] | Record<string, Json>; key: string | number }[] {
  const places: { parent: Json[] | Record<string, Json>; key: string | number }[] = [];
  const visit = (value: Json) => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        places.push({ parent: value, key: index });
        visit(item);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        places.push({ parent: value, key });
        visit(item);
      }
    }
  };
  visit(root);
  return places;
}

/** The document with the mutations applied, each at a place chosen by its `at` (a copy; the input is unchanged). */
export function mutate(document: Json, mutations: readonly Mutation[]): Json {
  const root: { doc: Json } = { doc: structuredClone(document) };
  for (const change of mutations) {
    const places = placesOf(root.doc);
    if (places.length === 0) {
      if (change.kind === 'replace') root.doc = change.value;
      continue;
    }
    const { parent, key } = places[change.at % places.length]!;
    const current = (parent as Record<string | number, Json>)[key]!;
    if (change.kind === 'replace') (parent as Record<string | number, Json>)[key] = change.value;
    else if (change.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
    } else if (change.kind === 'duplicate') {
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(current));
      else parent[`${String(key)}_copy`] = structuredClone(current);
    } else if (Array.isArray(current)) current.push(change.value);
    else if (current !== null && typeof current === 'object')
      Object.defineProperty(current, change.key, {
        value: change.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else (parent as Record<string | number, Json>)[key] = { [change.key]: change.value };
  }
  return root.doc;
}

/** Byte-level damage: truncation, flipped bytes, inserted bytes (invalid UTF-8 included). */
export const byteDamage = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    bits: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
);

export type ByteDamage = typeof byteDamage extends fc.Arbitrary<infer T> ? T : never;

export function damage(bytes: Buffer, change: ByteDamage): Buffer {
  if (bytes.length === 0) return bytes;
  if (change.kind === 'truncate') return bytes.subarray(0, change.at % bytes.length);
  if (change.kind === 'flip') {
    const copy = Buffer.from(bytes);
    for (const at of change.at) copy[at % copy.length]! ^= change.bits;
    return copy;
  }
  const at = change.at % bytes.length;
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]);
}
