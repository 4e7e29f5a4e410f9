import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findUnstorableText, type UnstorableText } from '@cabc/contracts';
import { HttpProblem } from './problems.ts';

/** 400 naming the string that Postgres could not store as sent (NUL, lone surrogate). */
export class UnstorableTextProblem extends HttpProblem {
  constructor(found: UnstorableText, where: 'body' | 'path' | 'query' | 'header' = 'body') {
    const field = where === 'body' ? found.path || 'body' : `${where}:${found.path}`;
    super(400, 'validation', 'Invalid request', `${field}: ${found.message}`, {
      fields: [{ field, message: found.message }],
    });
  }
}

export const notUtf8Problem = () =>
  new HttpProblem(400, 'validation', 'Invalid request', 'body: not UTF-8 text', {
    fields: [{ field: 'body', message: 'not UTF-8' }],
  });

/**
 * The JSON body parser of every service: the bytes must be UTF-8 (Node's decoder would silently replace invalid
 * sequences, so a stored or digested text would not be what was sent), are parsed by Fastify's parser (prototype
 * poisoning refused), and no string may hold what Postgres text cannot (NUL, lone surrogates). `onText` sees the exact
 * text, for routes that keep or digest it.
 */
export function installJsonBodyParser(
  app: FastifyInstance,
  onText?: (request: FastifyRequest, text: string) => void,
): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  if (app.hasContentTypeParser('application/json')) app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) return done(notUtf8Problem(), undefined);
    const text = bytes.toString('utf8');
    onText?.(request, text);
    parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined);
      const unstorable = findUnstorableText(value);
      if (unstorable) return done(new UnstorableTextProblem(unstorable), undefined);
      return done(null, value);
    });
  });
}

/** Path and query parameters: percent-decoding can yield NUL or lone surrogates, which must not reach a query. */
export function installParameterTextCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [
      ['path', request.params],
      ['query', request.query],
    ] as const) {
      const unstorable = findUnstorableText(value);
      if (unstorable) throw new UnstorableTextProblem(unstorable, where);
    }
  });
}
