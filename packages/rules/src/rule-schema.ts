import { z } from 'zod';
import { evidenceKindSchema, parseDuration } from '@cabc/contracts';
import { comparisonOperators, isComparisonOperator } from './operators.ts';
import { describeTargetProblems, type ThresholdTarget } from './threshold-target.ts';

const shortText = z.string().min(1).max(256);
const kindList = z.array(evidenceKindSchema).min(1).max(evidenceKindSchema.options.length);

export const selectorSchema = z.strictObject({
  kind: evidenceKindSchema,
  metric: shortText,
  dataset: shortText.optional(),
  split: shortText.optional(),
  slice: shortText.optional(),
});
export type Selector = z.infer<typeof selectorSchema>;

export const thresholdRuleSchema = z
  .strictObject({
    type: z.literal('threshold'),
    selector: selectorSchema,
    operator: z.enum(comparisonOperators),
    // Validated against the operator by the refinement below, which names the exact problem (and list element)
    // where a union of shapes would only say "invalid input". Declared as unknown rather than z.custom so the
    // schema still converts to JSON Schema.
    target: z.unknown().meta({
      description: 'a number, string or boolean; a list of them for in / not_in',
    }) as z.ZodType<ThresholdTarget>,
  })
  .superRefine(
    (rule, ctx) => {
      for (const problem of describeTargetProblems(rule.operator, rule.target)) {
        ctx.addIssue({ code: 'custom', path: ['target', ...problem.path], message: problem.message });
      }
    },
    // Also when another field is wrong, so one answer lists every problem; only the operator must be readable.
    { when: (payload) => isComparisonOperator((payload.value as { operator?: unknown } | undefined)?.operator) },
  );

export const expressionRuleSchema = z.strictObject({
  type: z.literal('expression'),
  /** CEL; see docs/rules.md for the variables it can read. */
  expression: z.string().min(1).max(4096),
  /** The evidence kinds the expression reads; it is evaluated once each of them has evidence. */
  kinds: kindList,
});

export const checksRuleSchema = z.strictObject({
  type: z.literal('checks'),
  kind: evidenceKindSchema,
  allowWarnings: z.boolean().default(false),
  /** Only these checks (each must be reported); all checks of the evidence when absent. */
  names: z.array(shortText).min(1).max(1000).optional(),
});

export const freshnessRuleSchema = z.strictObject({
  type: z.literal('freshness'),
  kind: evidenceKindSchema,
  maxAge: z
    .string()
    .max(64)
    .superRefine((text, ctx) => {
      const parsed = parseDuration(text);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
    }),
});

export const presenceRuleSchema = z
  .strictObject({
    type: z.literal('presence'),
    kinds: kindList.optional(),
    modelCardFields: z.array(shortText).min(1).max(1000).optional(),
  })
  .refine((rule) => rule.kinds !== undefined || rule.modelCardFields !== undefined, {
    message: 'a presence rule needs kinds, modelCardFields or both',
    path: ['kinds'],
  });

export const provenanceRuleSchema = z.strictObject({
  type: z.literal('provenance'),
  /** All evidence kinds when absent. */
  kinds: kindList.optional(),
});

export const trendMethods = ['ewma', 'cusum'] as const;
export const trendRuleSchema = z
  .strictObject({
    type: z.literal('trend'),
    selector: selectorSchema,
    direction: z.enum(['decrease_is_bad', 'increase_is_bad']),
    method: z.enum(trendMethods),
    /** EWMA smoothing factor. */
    alpha: z.number().gt(0).lte(1).optional(),
    /** EWMA: band width in standard deviations. CUSUM: slack per point in standard deviations. */
    k: z.number().min(0).max(100).optional(),
    /** CUSUM: decision threshold h in standard deviations. */
    threshold: z.number().positive().max(1000).optional(),
    /** Points used to learn the baseline before the newest point can be judged. */
    minHistory: z.int().min(3).max(1000).optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.method === 'cusum' && rule.alpha !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['alpha'], message: 'alpha applies to method ewma only' });
    }
    if (rule.method === 'ewma' && rule.threshold !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: 'threshold applies to method cusum only; use k for ewma',
      });
    }
  });

export const driftRuleSchema = z
  .strictObject({
    type: z.literal('drift'),
    kind: z.literal('drift').optional(),
    maxDriftShare: z.number().min(0).max(1).optional(),
    /** Defaults to true when maxDriftShare is absent, false otherwise. */
    failOnDatasetDrift: z.boolean().optional(),
  })
  .refine((rule) => rule.maxDriftShare !== undefined || rule.failOnDatasetDrift !== false, {
    message: 'with failOnDatasetDrift false the rule needs maxDriftShare, or it would check nothing',
    path: ['failOnDatasetDrift'],
  });

export const ruleSchema = z.discriminatedUnion('type', [
  thresholdRuleSchema,
  expressionRuleSchema,
  checksRuleSchema,
  freshnessRuleSchema,
  presenceRuleSchema,
  provenanceRuleSchema,
  trendRuleSchema,
  driftRuleSchema,
]);

export type Rule = z.infer<typeof ruleSchema>;
export type RuleType = Rule['type'];
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;
export type ExpressionRule = z.infer<typeof expressionRuleSchema>;
export type ChecksRule = z.infer<typeof checksRuleSchema>;
export type FreshnessRule = z.infer<typeof freshnessRuleSchema>;
export type PresenceRule = z.infer<typeof presenceRuleSchema>;
export type ProvenanceRule = z.infer<typeof provenanceRuleSchema>;
export type TrendRule = z.infer<typeof trendRuleSchema>;
export type DriftRule = z.infer<typeof driftRuleSchema>;
