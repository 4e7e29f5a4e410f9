import { evidenceReceiptSchema } from '@cabc/contracts';
import { z } from 'zod';

export const acceptedEvidenceViewSchema = evidenceReceiptSchema.extend({
  kind: z.string(),
  keyid: z.string(),
  observedAt: z.string(),
  subjects: z.unknown(),
  predicate: z.unknown(),
});
