import { z } from 'zod';

export const requirementStatuses = ['compliant', 'non_compliant', 'pending', 'error'] as const;
export const requirementStatusSchema = z.enum(requirementStatuses);
export type RequirementStatus = z.infer<typeof requirementStatusSchema>;

/** A ToE's posture takes the same values as a requirement result. */
export const postureSchema = requirementStatusSchema;
export type Posture = RequirementStatus;
