import { z } from 'zod';
import { evidenceKindSchema } from '@cabc/contracts';

// The walking skeleton's rule kind; the full rule language (CEL, trend, drift, ...) replaces this module.
export const thresholdRuleSchema = z.strictObject({
  type: z.literal('threshold'),
  selector: z.strictObject({ kind: evidenceKindSchema, metric: z.string().min(1) }),
  operator: z.enum(['<', '<=', '>', '>=', '==', '!=']),
  target: z.number().refine(Number.isFinite, 'must be a finite number'),
});

export const requirementSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  title: z.string().min(1).max(256),
  /** A failing critical requirement lets the certification body revoke without a grace period. */
  critical: z.boolean().default(false),
  rule: thresholdRuleSchema,
});
export type Requirement = z.infer<typeof requirementSchema>;

export const requirementsSchema = z
  .array(requirementSchema)
  .min(1)
  .refine((list) => new Set(list.map((requirement) => requirement.id)).size === list.length, 'requirement ids must be unique');
