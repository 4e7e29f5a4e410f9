import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { requestIdFrom } from '@cabc/service-kit';
import { sendClientError } from './client-error.ts';
import { installJsonBodyParser, installParameterTextCheck } from './json-body.ts';
import { installProblemHandler, sendFrameworkError } from './problem-handler.ts';

export interface ServerOptions {
  title: string;
  description: string;
  version: string;
  logger: Logger;
  bodyLimitBytes: number;
}

export type Server = FastifyInstance<any, any, any, FastifyBaseLogger, ZodTypeProvider>;

/**
 * A Fastify instance with what every CABC service shares: zod validation and serialization, request ids that follow
 * a request across services, problem+json errors, and an OpenAPI 3.1 document with an interactive page at /docs.
 */
export async function createServer(options: ServerOptions): Promise<Server> {
  const app = Fastify({
    loggerInstance: options.logger,
    genReqId: requestIdFrom,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: options.bodyLimitBytes,
    // ToE ids are up to 256 characters, percent-encoded up to three times that; the default (100) refused them.
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: sendClientError,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>() as unknown as Server;

  // Fastify parses text/plain by default; no CABC route takes text, so such a body is 415, not a validation error.
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app);
  installParameterTextCheck(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installProblemHandler(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, description: options.description, version: options.version },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
