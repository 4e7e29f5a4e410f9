import { z } from 'zod';
import { evidenceJsonSchemas } from '@cabc/contracts';
import { publicRoute, type Server } from '@cabc/http-kit';

/** The JSON Schemas pipeline authors validate their evidence with, before they push it. */
export function registerSchemaRoutes(app: Server): void {
  const schemas = evidenceJsonSchemas();
  for (const [name, schema] of [
    ['evidence-predicate.v1.schema.json', schemas.predicate],
    ['evidence-statement.v1.schema.json', schemas.statement],
  ] as const) {
    app.get(
      `/v1/schemas/${name}`,
      {
        config: publicRoute,
        schema: {
          tags: ['schemas'],
          summary: `JSON Schema (2020-12): ${name}`,
          produces: ['application/schema+json'],
          response: { 200: z.unknown() },
        },
      },
      async (_request, reply) => reply.type('application/schema+json').send(schema),
    );
  }
}
