import { z } from 'zod';
import { EVIDENCE_PREDICATE_TYPE, evidencePredicateSchema } from './evidence-predicate.ts';

export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

export const resourceDescriptorSchema = z.strictObject({
  name: z.string().min(1).max(512),
  uri: z.string().max(2048).optional(),
  digest: z
    .record(z.string().regex(/^[a-z0-9_-]{1,32}$/), z.string().regex(/^[0-9a-fA-F]{16,128}$/))
    .refine((digest) => typeof digest.sha256 === 'string', { message: 'a sha256 digest is required' }),
});
export type ResourceDescriptor = z.infer<typeof resourceDescriptorSchema>;

export const evidenceStatementSchema = z.strictObject({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z.array(resourceDescriptorSchema).min(1).max(64),
  predicateType: z.literal(EVIDENCE_PREDICATE_TYPE),
  predicate: evidencePredicateSchema,
});
export type EvidenceStatement = z.infer<typeof evidenceStatementSchema>;
