import fc from 'fast-check';
import { hostileString, hostileValue } from './json-mutations.ts';

/** The JSON Schema subset the services' OpenAPI documents use (zod's output). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
}

const formats: Record<string, fc.Arbitrary<string>> = {
  'date-time': fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  uuid: fc.uuid(),
  uri: fc.webUrl(),
  email: fc.emailAddress(),
};

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format && formats[schema.format]) return formats[schema.format]!;
  if (schema.pattern) {
    try {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((text) => text.length <= (schema.maxLength ?? 10_000));
    } catch {
      // a pattern fast-check cannot generate from: plain strings
    }
  }
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 200) });
}

/**
 * Values that fit the schema (as far as it says), at depth `depth`. With `wild` a member may be anything hostile
 * instead, so that generated bodies probe every field, not only the happy path.
 */
export function arbitraryFor(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0)
    return fc.oneof(...alternatives.map((one) => arbitraryFor(one, depth + 1)));
  if (schema.allOf && schema.allOf.length > 0) return arbitraryFor(Object.assign({}, ...schema.allOf), depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? -1000, Number.MIN_SAFE_INTEGER),
        max: Math.min(schema.maximum ?? 1000, Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arbitraryFor(schema.items ?? {}, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 6),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const entries = Object.fromEntries(
        Object.entries(properties).map(([key, member]) => [key, arbitraryFor(member, depth + 1)]),
      );
      return fc.record(entries, { requiredKeys: Object.keys(properties).filter((key) => required.has(key)) });
    }
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

/** A body for a route: a schema-shaped value, that value with one member made hostile, or anything at all. */
export function bodiesFor(schema: JsonSchema, seeds: readonly unknown[] = []): fc.Arbitrary<unknown> {
  const shaped = arbitraryFor(schema);
  const poisoned = fc.tuple(shaped, fc.nat(), hostileValue, hostileString).map(([body, at, value, key]) => {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return value;
    const keys = Object.keys(body);
    const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    if (keys.length === 0 || at % 5 === 0) copy[key] = value;
    else copy[keys[at % keys.length]!] = value;
    return copy;
  });
  const arbitraries: fc.WeightedArbitrary<unknown>[] = [
    { arbitrary: shaped, weight: 4 },
    { arbitrary: poisoned, weight: 4 },
    { arbitrary: hostileValue, weight: 1 },
  ];
  if (seeds.length > 0) arbitraries.push({ arbitrary: fc.constantFrom(...seeds), weight: 1 });
  return fc.oneof(...arbitraries);
}
