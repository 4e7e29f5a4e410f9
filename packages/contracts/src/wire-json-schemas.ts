import { z } from 'zod';
import { certificateClaimsSchema } from './certificate.ts';
import { signedStatusClaimsSchema, statusListClaimsSchema, statusResponseSchema } from './certificate-status.ts';
import { certificateWebhookSchema } from './certificate-webhook.ts';
import { evidenceJsonSchemas } from './evidence-json-schema.ts';
import { postureCallbackClaimsSchema } from './posture-callback.ts';
import { evidenceReceiptSchema, receiptClaimsSchema } from './receipt.ts';
import { scopeDecisionClaimsSchema } from './scope-decision-callback.ts';

const schemaBase = 'https://cabc.dev/schemas';

/** The wire formats other parties read besides the evidence, by published file name, with their titles. */
const wireFormats = {
  'receipt-claims.v1.schema.json': [receiptClaimsSchema, 'Claims of a receipt (typ cabc-receipt+jwt)'],
  'evidence-receipt.v1.schema.json': [evidenceReceiptSchema, 'Answer of the assessment service to POST /v1/evidence'],
  'certificate-claims.v1.schema.json': [certificateClaimsSchema, 'Claims of a certificate (typ cabc-certificate+jwt)'],
  'status-answer.v1.schema.json': [statusResponseSchema, 'Answer of GET /v1/status/{certificateId} (JSON)'],
  'status-claims.v1.schema.json': [signedStatusClaimsSchema, 'Claims of a signed status answer (typ cabc-status+jwt)'],
  'status-list-claims.v1.schema.json': [statusListClaimsSchema, 'Claims of a status list (typ cabc-status-list+jwt)'],
  'posture-callback-claims.v1.schema.json': [postureCallbackClaimsSchema, 'Claims of a posture callback'],
  'scope-decision-claims.v1.schema.json': [scopeDecisionClaimsSchema, 'Claims of a scope decision callback'],
  'certificate-webhook.v1.schema.json': [certificateWebhookSchema, 'Body of a certificate webhook'],
} as const satisfies Record<string, readonly [z.ZodType, string]>;

/**
 * Every published JSON Schema (draft 2020-12) of the platform's wire formats, by file name (`docs/schemas/`),
 * generated from the zod schemas the services produce and validate them with.
 */
export function wireJsonSchemas(): Record<string, object> {
  const evidence = evidenceJsonSchemas();
  const schemas: Record<string, object> = {
    'evidence-predicate.v1.schema.json': evidence.predicate,
    'evidence-statement.v1.schema.json': evidence.statement,
  };
  for (const [name, [schema, title]] of Object.entries(wireFormats)) {
    schemas[name] = { $id: `${schemaBase}/${name}`, title, ...z.toJSONSchema(schema, { io: 'output' }) };
  }
  return schemas;
}
