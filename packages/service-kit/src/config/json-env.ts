import { z } from 'zod';

/** An environment variable holding JSON, validated by `schema` after parsing. */
export function envJson<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** A JWKS given inline: `{"keys":[{...,"kid":"..."}]}`. */
export const envJwks = () => envJson(z.object({ keys: z.array(z.looseObject({ kid: z.string() })).min(1) }));
