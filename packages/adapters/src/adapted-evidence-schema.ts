import { evidencePredicateSchema, rawArtifactSchema, resourceDescriptorSchema } from '@cabc/contracts';
import { z } from 'zod';

/** What an adapter returns: the evidence predicate minus `toe`, with a required raw reference, plus subjects. */
export const adaptedEvidenceSchema = evidencePredicateSchema
  .omit({ toe: true })
  .extend({ raw: rawArtifactSchema, subjects: z.array(resourceDescriptorSchema) });
