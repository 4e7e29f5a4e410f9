import { z } from 'zod';
import { problemSchema } from './problem-schema.ts';

interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}
type OperationObject = { responses?: Record<string, ResponseObject> };

const PROBLEM = 'application/problem+json';
const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']);

/**
 * Every error answer of the services is problem+json (the shared error handler), so the document says so: 4xx and 5xx
 * responses are listed under `application/problem+json`, and `default` documents the problems an operation does not
 * list one by one (a 401 from the authentication hook, a 413 from the body limit, a 429, a 503 while unready...).
 * Answers that are not JSON (`produces` of the route) are documented by their media type alone.
 */
export function documentProblems<T extends { paths?: object | undefined }>(document: T): T {
  const { $schema: _dialect, ...problem } = z.toJSONSchema(problemSchema, { unrepresentable: 'any' });
  for (const item of Object.values((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [method, operation] of Object.entries(item ?? {})) {
      if (!methods.has(method) || typeof operation !== 'object' || operation === null) continue;
      const typed = operation as OperationObject;
      typed.responses ??= {};
      const responses = typed.responses;
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[45]/.test(status)) {
          // A JSON Schema describes JSON; a JWT, a zip, a PDF or an event stream is documented by its media type.
          for (const [mediaType, media] of Object.entries(response.content ?? {}))
            if (!/json/.test(mediaType)) delete media.schema;
          continue;
        }
        const schema = Object.values(response.content ?? {})[0]?.schema ?? problem;
        response.content = { [PROBLEM]: { schema } };
      }
      responses.default ??= {
        description: 'A problem (RFC 9457) other than those listed',
        content: { [PROBLEM]: { schema: problem } },
      };
    }
  }
  return document;
}
