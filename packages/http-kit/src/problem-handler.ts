import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { isInfrastructureUnavailable } from '@cabc/service-kit';
import { HttpProblem, TooManyRequestsProblem, type ProblemField } from './problems.ts';

const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const problemTypes = new WeakMap<FastifyReply, string>();

/** The problem a reply answered, by its slug (`validation`, `signature-invalid`, …); undefined for a success. */
export const problemSlugOf = (reply: FastifyReply): string | undefined =>
  problemTypes.get(reply)?.replace(/^https:\/\/cabc\.dev\/problems\//, '');

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: {
    status: number;
    type: string;
    title: string;
    detail: string;
    fields?: ProblemField[];
    extensions?: object;
  },
) {
  problemTypes.set(reply, problem.type);
  const body = {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: request.url,
    requestId: String(request.id),
    ...(problem.fields && problem.fields.length > 0 ? { errors: problem.fields } : {}),
    ...problem.extensions,
  };
  // Bypass the route's response schema: a problem is never shaped like the success answer.
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}

/** Fastify's validation contexts, named as ProblemField documents them (`path:id`, `query:toe`, `header:x`). */
const fieldPrefixes: Record<string, string> = { params: 'path', querystring: 'query', headers: 'header' };

function validationFields(error: FastifyError): ProblemField[] {
  const validationContext = error.validationContext ?? 'body';
  const context = fieldPrefixes[validationContext] ?? validationContext;
  const named = (path: string | undefined) => (path ? (context === 'body' ? path : `${context}:${path}`) : context);
  return (error.validation ?? []).flatMap((issue) => {
    // fastify-type-provider-zod: keyword = zod issue code, instancePath = /-joined path, params = the rest of the issue.
    const raw = issue as { keyword?: string; instancePath?: string; message?: string; params?: { keys?: unknown } };
    const path = raw.instancePath?.replace(/^\//, '').replaceAll('/', '.');
    // An unknown member is named itself, not the object that holds it.
    const keys =
      raw.keyword === 'unrecognized_keys' && Array.isArray(raw.params?.keys) ? raw.params.keys.map(String) : [];
    if (keys.length > 0)
      return keys.map((key) => ({ field: named(path ? `${path}.${key}` : key), message: 'unknown member' }));
    return [{ field: named(path), message: raw.message ?? 'invalid' }];
  });
}

/** Where a Fastify-detected problem is: the header it comes from, the URL path, or the body. */
function fastifyErrorField(code: string | undefined): string | undefined {
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'header:content-type';
  if (code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return 'header:content-length';
  if (code === 'FST_ERR_BAD_URL' || code === 'FST_ERR_MAX_PARAM_LENGTH') return 'path';
  if (code?.startsWith('FST_ERR_CTP')) return 'body';
  return undefined;
}

/** Fastify's own 4xx: malformed JSON, unsupported media type, body too large, poisoned keys, bad URLs... */
function fastifyProblem(error: FastifyError, status: number) {
  const slug = error.code
    ? error.code
        .toLowerCase()
        .replace(/^fst_err_/, '')
        .replaceAll('_', '-')
    : 'bad-request';
  const field = fastifyErrorField(error.code);
  const reason = STATUS_CODES[status] ?? 'Bad request';
  return {
    status,
    type: `https://cabc.dev/problems/${slug}`,
    // The HTTP reason phrase in sentence case, never an internal class name such as SyntaxError.
    title: reason.charAt(0) + reason.slice(1).toLowerCase(),
    detail: error.message,
    fields: field ? [{ field, message: error.message }] : [],
  };
}

/** A lost database (or Redis) connection: the request may be repeated once the service is ready again. */
const unavailableProblem = {
  status: 503,
  type: 'https://cabc.dev/problems/unavailable',
  title: 'Service unavailable',
  detail:
    'A database the service needs is unreachable right now. Retry later, with the same Idempotency-Key where the route takes one.',
};
const UNAVAILABLE_RETRY_AFTER_SECONDS = '5';

const internalProblem = {
  status: 500,
  type: 'https://cabc.dev/problems/internal',
  title: 'Internal server error',
  detail: 'The server could not complete the request; the request id identifies it in the logs.',
};

/**
 * Fastify's `frameworkErrors` option: errors found while routing (a URL that does not decode, a path parameter over
 * the router's limit), before any hook ran. Without it Fastify answers plain JSON without a request id.
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id);
  const status = error.statusCode ?? 400;
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
    return send(reply, request, internalProblem);
  }
  return send(reply, request, fastifyProblem(error, status));
}

/** Maps every error to RFC 9457 problem details; 5xx details stay in the log, never in the answer. */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      if (error instanceof TooManyRequestsProblem) reply.header('retry-after', String(error.retryAfterSeconds));
      return send(reply, request, {
        status: error.status,
        type: error.type,
        title: error.title,
        detail: error.message,
        fields: error.fields,
        extensions: error.extensions,
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields = validationFields(error);
      return send(reply, request, {
        status: 400,
        type: 'https://cabc.dev/problems/validation',
        title: 'Invalid request',
        detail: fields.map((field) => `${field.field}: ${field.message}`).join('; '),
        fields,
      });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema');
    }
    const status = error.statusCode ?? 500;
    if (status >= 500 && isInfrastructureUnavailable(error)) {
      // The outage itself is logged once by the connection's state log; here one line per request, no stack.
      request.log.warn({ error: error.message }, 'request failed: infrastructure unavailable');
      reply.header('retry-after', UNAVAILABLE_RETRY_AFTER_SECONDS);
      return send(reply, request, unavailableProblem);
    }
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return send(reply, request, internalProblem);
    }
    return send(reply, request, fastifyProblem(error, status));
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, {
      status: 404,
      type: 'https://cabc.dev/problems/not-found',
      title: 'Not found',
      detail: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}
