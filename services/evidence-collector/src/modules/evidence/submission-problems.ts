import type { z } from 'zod';
import type { AdapterError, AdapterErrorCode } from '@cabc/adapters';
import { HttpProblem, type ProblemField } from '@cabc/http-kit';

const adapterStatus: Record<AdapterErrorCode, { status: number; slug: string; title: string }> = {
  unknown_format: { status: 415, slug: 'unknown-format', title: 'Unknown evidence format' },
  malformed: { status: 400, slug: 'malformed', title: 'Malformed input' },
  too_deep: { status: 400, slug: 'too-deep', title: 'Input nested too deeply' },
  forbidden_key: { status: 400, slug: 'forbidden-key', title: 'Forbidden key' },
  unsupported_version: { status: 422, slug: 'unsupported-version', title: 'Unsupported format version' },
  invalid: { status: 422, slug: 'invalid-content', title: 'Invalid content for its format' },
};

/**
 * An adapter's refusal as problem+json. `where` names the input: undefined for the request body itself, `file[2]`
 * for the third part of a multipart upload; the adapter's field path is appended to it.
 */
export function adapterProblem(
  error: AdapterError,
  where: { prefix?: string; file?: string | undefined } = {},
): HttpProblem {
  const { status, slug, title } = adapterStatus[error.code];
  const field = where.prefix
    ? error.field
      ? `${where.prefix}:${error.field}`
      : where.prefix
    : (error.field ?? 'body');
  const position =
    error.line !== undefined
      ? ` (line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''})`
      : '';
  const subject = where.file ? `${where.file}: ` : '';
  return new HttpProblem(status, slug, title, `${subject}${error.message}${position}`, {
    fields: [{ field, message: error.message }],
    extensions: {
      code: error.code,
      ...(where.file ? { file: where.file } : {}),
      ...(error.line !== undefined ? { line: error.line } : {}),
      ...(error.column !== undefined ? { column: error.column } : {}),
    },
  });
}

/** Zod issues of a body document, named the way request validation names them (unknown members by their own name). */
export function validationProblem(error: z.ZodError, prefix = ''): HttpProblem {
  const fields: ProblemField[] = error.issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: path ? `${path}.${key}` : key, message: 'unknown member' }));
    }
    return [{ field: path || 'body', message: issue.message }];
  });
  return new HttpProblem(
    400,
    'validation',
    'Invalid request',
    fields.map((field) => `${field.field}: ${field.message}`).join('; '),
    { fields },
  );
}

export class PayloadTooLargeProblem extends HttpProblem {
  constructor(detail: string, field: string) {
    super(413, 'body-too-large', 'Payload too large', detail, { fields: [{ field, message: detail }] });
  }
}

export class UnsupportedMediaTypeProblem extends HttpProblem {
  constructor(detail: string) {
    super(415, 'unsupported-media-type', 'Unsupported media type', detail, {
      fields: [{ field: 'header:content-type', message: detail }],
    });
  }
}
