import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { HttpProblem, type ProblemField } from './problems.ts';

const PROBLEM_CONTENT_TYPE = 'application/problem+json';

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: { status: number; type: string; title: string; detail: string; fields?: ProblemField[]; extensions?: object },
) {
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

function validationFields(error: FastifyError): ProblemField[] {
  const context = error.validationContext ?? 'body';
  return (error.validation ?? []).map((issue) => {
    const raw = issue as { instancePath?: string; message?: string; params?: { issue?: { path?: PropertyKey[] } } };
    const path = raw.params?.issue?.path?.map(String).join('.') ?? raw.instancePath?.replace(/^\//, '').replaceAll('/', '.');
    const field = path ? (context === 'body' ? path : `${context}:${path}`) : context;
    return { field, message: raw.message ?? 'invalid' };
  });
}

/** Maps every error to RFC 9457 problem details; 5xx details stay in the log, never in the answer. */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      return send(reply, request, { status: error.status, type: error.type, title: error.title, detail: error.message, fields: error.fields, extensions: error.extensions });
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
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return send(reply, request, {
        status: 500,
        type: 'https://cabc.dev/problems/internal',
        title: 'Internal server error',
        detail: 'The server could not complete the request; the request id identifies it in the logs.',
      });
    }
    // Fastify's own 4xx: malformed JSON, unsupported media type, body too large, poisoned keys...
    const slug = error.code ? error.code.toLowerCase().replace(/^fst_err_/, '').replaceAll('_', '-') : 'bad-request';
    return send(reply, request, {
      status,
      type: `https://cabc.dev/problems/${slug}`,
      title: error.name === 'FastifyError' || !error.name ? 'Bad request' : error.name,
      detail: error.message,
      fields: error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.code?.startsWith('FST_ERR_CTP') ? [{ field: 'body', message: error.message }] : [],
    });
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
