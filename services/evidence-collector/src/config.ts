import { z } from 'zod';
import { parseConfig, serviceEnvSchema } from '@cabc/config';

export const collectorEnvSchema = serviceEnvSchema(8081).extend({
  /** Base URL of the auditor's assessment service, where signed evidence is delivered. */
  ASSESSMENT_URL: z.url({ protocol: /^https?$/ }),
});

export type CollectorConfig = z.output<typeof collectorEnvSchema>;

export function loadCollectorConfig(env: Record<string, string | undefined> = process.env): CollectorConfig {
  return parseConfig('evidence-collector', collectorEnvSchema, env);
}
