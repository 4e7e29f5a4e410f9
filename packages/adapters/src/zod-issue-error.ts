import type { z } from 'zod';
import { AdapterError } from './adapter-error.ts';
import { formatPath, type PathSegment } from './parsing/json-path.ts';

/** An `invalid` error for the first zod issue, naming its field (below `prefix`). */
export function invalidFromZod(error: z.ZodError, prefix: readonly PathSegment[] = []): AdapterError {
  const [issue] = error.issues;
  const field = formatPath([...prefix, ...(issue?.path ?? [])]);
  return new AdapterError('invalid', `${field || '(document)'}: ${issue?.message ?? 'invalid'}`, {
    field: field || undefined,
  });
}
