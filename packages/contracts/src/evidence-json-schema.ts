import { z } from 'zod';
import { EVIDENCE_PREDICATE_TYPE, evidencePredicateSchema } from './evidence-predicate.ts';
import { evidenceStatementSchema } from './in-toto-statement.ts';

/**
 * JSON Schemas (draft 2020-12) of the evidence predicate and of the in-toto statement that carries it, for pipeline
 * authors who produce evidence outside TypeScript. Generated from the zod schemas the services validate with.
 */
export function evidenceJsonSchemas(): { predicate: object; statement: object } {
  const predicate = z.toJSONSchema(evidencePredicateSchema, { io: 'input' });
  const statement = z.toJSONSchema(evidenceStatementSchema, { io: 'input' });
  return {
    predicate: {
      $id: `${EVIDENCE_PREDICATE_TYPE}/predicate.schema.json`,
      title: 'CABC evidence predicate v1',
      ...predicate,
    },
    statement: {
      $id: `${EVIDENCE_PREDICATE_TYPE}/statement.schema.json`,
      title: 'in-toto Statement v1 with a CABC evidence predicate',
      ...statement,
    },
  };
}
