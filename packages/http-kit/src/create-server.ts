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
import { documentProblems } from './openapi-problems.ts';
import { installProblemHandler, sendFrameworkError } from './problem-handler.ts';
import { publicRoute, type RouteAccess } from './route-access.ts';
import { httpsServerOptions, installOutboundTls, requireClientCertificates, type TlsSettings } from './tls.ts';

export interface ServerOptions {
  title: string;
  description: string;
  version: string;
  logger: Logger;
  bodyLimitBytes: number;
  /**
   * TLS_* of the service's configuration: HTTPS with a certificate, client certificates on the signed-body
   * (machine-to-machine) routes with a client CA, and the CA and identity of the process's HTTP clients.
   */
  tls?: TlsSettings;
}

export type Server = FastifyInstance<any, any, any, FastifyBaseLogger, ZodTypeProvider>;

/**
 * A Fastify instance with what every CABC service shares: zod validation and serialization, request ids that follow
 * a request across services, problem+json errors, and an OpenAPI 3.1 document with an interactive page at /docs.
 */
export async function createServer(options: ServerOptions): Promise<Server> {
  const https = httpsServerOptions(options.tls ?? {});
  if (options.tls) installOutboundTls(options.tls);
  const app = Fastify({
    ...(https ? { https } : {}),
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
  // Machine-to-machine routes are those whose body is signed by another service (collector → assessment
  // deliveries, assessment → certification body callbacks): with a client CA they also need its certificate.
  if (https?.requestCert)
    requireClientCertificates(app, (request) => request.routeOptions.config.access === 'signature');
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
    transformObject: (documentObject) =>
      documentProblems('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject),
  });
  // The documentation pages are public; their routes are the plugin's, so they are declared here for it.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, ...publicRoute };
    });
    await docs.register(fastifySwaggerUi, { routePrefix: '/docs' });
  });
  requireAccessDeclarations(app);
  app.get('/openapi.json', { config: publicRoute, schema: { hide: true } }, async () => app.swagger());
  return app;
}

function isRouteAccess(value: unknown): value is RouteAccess {
  if (value === 'public' || value === 'signature') return true;
  if (typeof value !== 'object' || value === null || !('roles' in value)) return false;
  const { roles } = value;
  return Array.isArray(roles) && roles.length > 0 && roles.every((role) => typeof role === 'string');
}

/**
 * Every route registered from now on must declare who may call it (`config.access`, see route-access.ts): a route
 * without one stops the service at start-up. Routes with roles need a bearer-token verifier (packages/auth), so a
 * service that forgets to install one does not start either.
 */
function requireAccessDeclarations(app: Server): void {
  let roleRoutes = 0;
  app.addHook('onRoute', (route) => {
    const access: unknown = route.config?.access;
    if (!isRouteAccess(access)) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new Error(
        `route ${methods} ${route.url} declares no access: add config: { access: 'public' | 'signature' | { roles: [...] } }`,
      );
    }
    if (typeof access === 'object') roleRoutes += 1;
  });
  app.addHook('onReady', async () => {
    if (roleRoutes > 0 && !app.hasDecorator(BEARER_AUTHENTICATION))
      throw new Error('routes declare roles but no bearer-token authentication is registered');
  });
}

/** The decorator the bearer-token authentication sets on the app (checked at start-up when routes declare roles). */
export const BEARER_AUTHENTICATION = 'cabcBearerAuthentication';
