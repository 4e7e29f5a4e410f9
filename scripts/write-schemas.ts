// Regenerates docs/schemas/*.schema.json from the zod schemas of the wire formats (a test fails when they differ).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { wireJsonSchemas } from '@cabc/contracts';

const folder = path.resolve(import.meta.dirname, '../docs/schemas');
for (const [name, schema] of Object.entries(wireJsonSchemas())) {
  writeFileSync(path.join(folder, name), `${JSON.stringify(schema, null, 2)}\n`);
}
