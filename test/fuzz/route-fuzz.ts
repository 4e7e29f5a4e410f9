import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import { roles, type Role } from '@cabc/auth';
import type { Server } from '@cabc/http-kit';
import { fuzzParameters } from './fuzz-settings.ts';
import { mutate, mutation } from './json-mutations.ts';
import { bodiesFor, type JsonSchema } from './schema-arbitrary.ts';

export interface FuzzTarget {
  app: Server;
  db: Kysely<any>;
  token: (role: Role) => Promise<string>;
  /** Values for path parameters by name (a real ToE id, version 1, ...); others get a random UUID. */
  pathValues: Record<string, string>;
  /** Valid bodies per operation (`POST /v1/toes`), mutated as well as generated ones. */
  seeds?: Record<string, unknown[]>;
  /** Body schemas the OpenAPI document leaves open (`{}`), per operation. */
  schemas?: Record<string, JsonSchema>;
}

export interface JsonOperation {
  key: string;
  method: string;
  path: string;
  schema: JsonSchema;
}

/** Every operation of the app's OpenAPI document that takes a JSON body. */
export function jsonOperations(app: Server): JsonOperation[] {
  const document = app.swagger() as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
  };
  const operations: JsonOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      if (schema)
        operations.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, schema });
    }
  }
  return operations.sort((a, b) => a.key.localeCompare(b.key));
}

/** A counter that grows when any row is added anywhere in the service's database (one query per call). */
async function rowCounter(db: Kysely<any>): Promise<() => Promise<number>> {
  const { rows } = await sql<{ name: string }>`
    select quote_ident(tablename) as name from pg_tables
    where schemaname = 'public' and tablename not like 'kysely%'`.execute(db);
  const sum = sql.raw(rows.map((row) => `(select count(*) from ${row.name})`).join(' + ') || '0');
  return async () =>
    Number((await sql<{ total: string }>`select (${sum})::bigint as total`.execute(db)).rows[0]!.total);
}

async function authorizationFor(target: FuzzTarget, method: string, url: string): Promise<Record<string, string>> {
  const probe = async (headers: Record<string, string>) =>
    (
      await target.app.inject({
        method: method as 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: '{}',
      })
    ).statusCode;
  if ((await probe({})) !== 401) return {};
  for (const role of roles) {
    const headers = { authorization: `Bearer ${await target.token(role)}` };
    const status = await probe(headers);
    if (status !== 401 && status !== 403) return headers;
  }
  return { authorization: `Bearer ${await target.token(roles[0])}` };
}

const refusalsNamingAField = new Set([400, 413, 415, 422]);

export interface OperationFuzzResult {
  operation: string;
  runs: number;
  statuses: Record<number, number>;
}

/**
 * Sends `runs` bodies to the operation (generated from its schema, schema-shaped with one member made hostile,
 * anything at all, and mutations of the valid seeds) and checks each answer: never a 5xx, every refusal
 * problem+json (naming a field for 400, 413, 415, 422), and a refusal stores nothing.
 */
export async function fuzzOperation(
  target: FuzzTarget,
  operation: JsonOperation,
  runs: number,
): Promise<OperationFuzzResult> {
  const url = operation.path.replaceAll(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(target.pathValues[name] ?? '00000000-0000-4000-8000-000000000000'),
  );
  const headers = { 'content-type': 'application/json', ...(await authorizationFor(target, operation.method, url)) };
  const seeds = target.seeds?.[operation.key] ?? [];
  const generated = bodiesFor(target.schemas?.[operation.key] ?? operation.schema, seeds);
  const bodies =
    seeds.length > 0
      ? fc.oneof(
          { arbitrary: generated, weight: 3 },
          {
            arbitrary: fc
              .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 }))
              .map(([seed, changes]) => mutate(seed as never, changes)),
            weight: 2,
          },
        )
      : generated;
  const statuses: Record<number, number> = {};
  const rowTotal = await rowCounter(target.db);
  let total = await rowTotal();
  await fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      const payload = body === undefined ? 'null' : JSON.stringify(body);
      const response = await target.app.inject({ method: operation.method as 'POST', url, headers, payload });
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
      const context = `${operation.key} ${payload.slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 300)}`;
      expect(response.statusCode, context).toBeLessThan(500);
      const after = await rowTotal();
      if (response.statusCode >= 400) {
        expect(String(response.headers['content-type']), context).toMatch(/^application\/problem\+json/);
        const problem = JSON.parse(response.body) as { status: number; errors?: { field: string }[] };
        expect(problem.status, context).toBe(response.statusCode);
        if (refusalsNamingAField.has(response.statusCode))
          expect(problem.errors?.[0]?.field, context).toEqual(expect.any(String));
        expect(after, `${context}: a refusal stored rows`).toBe(total);
      }
      total = after;
    }),
    fuzzParameters(runs),
  );
  return { operation: operation.key, runs, statuses };
}

/**
 * Fuzzes every JSON operation of the target's app (except those `skip` names), `runs` bodies each, one after
 * another, and prints what each answered; returns the operations fuzzed.
 */
export async function fuzzEveryJsonOperation(
  target: FuzzTarget,
  runs: number,
  skip: (operation: JsonOperation) => boolean = () => false,
): Promise<OperationFuzzResult[]> {
  const results: OperationFuzzResult[] = [];
  for (const operation of jsonOperations(target.app).filter((one) => !skip(one))) {
    const result = await fuzzOperation(target, operation, runs);
    console.log(`fuzz ${result.operation}: ${JSON.stringify(result.statuses)}`);
    results.push(result);
  }
  return results;
}
