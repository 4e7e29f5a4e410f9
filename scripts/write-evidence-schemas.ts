// Regenerates docs/schemas/*.schema.json from the zod schemas (a test fails when they differ).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { evidenceJsonSchemas } from '@cabc/contracts';

const folder = path.resolve(import.meta.dirname, '../docs/schemas');
const schemas = evidenceJsonSchemas();
writeFileSync(
  path.join(folder, 'evidence-predicate.v1.schema.json'),
  `${JSON.stringify(schemas.predicate, null, 2)}\n`,
);
writeFileSync(
  path.join(folder, 'evidence-statement.v1.schema.json'),
  `${JSON.stringify(schemas.statement, null, 2)}\n`,
);
