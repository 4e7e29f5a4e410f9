import type { z } from 'zod';

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(service: string, issues: string[]) {
    super(`${service}: invalid configuration\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Parses the environment once into a frozen, typed config. Every failing variable is named in the error so that
 * startup fails fast with a message an operator can act on.
 */
export function parseConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.output<S>> {
  // `PORT=` (or `PORT=${PORT}` in a compose file) means "not set": otherwise it would coerce to 0, a random port.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(set);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const variable = issue.path.join('.') || '(environment)';
      const received = issue.code === 'invalid_type' && set[variable] === undefined ? ' (not set)' : '';
      return `${variable}: ${issue.message}${received}`;
    });
    throw new ConfigError(service, issues);
  }
  return Object.freeze(result.data) as Readonly<z.output<S>>;
}
