import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { formatSse, readEventStream } from '../src/lib/sse.ts';
import { distDir, ensureDashboardBuilt } from './build.ts';
import { createCertificateWatch } from './certificate-watch.ts';
import { carriesTokenFor, defaultServiceAudiences, type DashboardService } from './token-audience.ts';

export interface DashboardOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  assessmentUrl: string;
  certificationBodyUrl: string;
  collectorUrl?: string | undefined;
  /** How often certificate states are read from the certification body (default 2 s). */
  certificatePollMs?: number;
  /** Build the app with Vite when dist/ is missing or stale (default true). */
  build?: boolean;
  /** The token audience of each service, when a deployment changed their AUTH_AUDIENCE. */
  audiences?: Partial<Record<DashboardService, string>>;
  /**
   * Sign-in through an OpenID Connect provider (authorization code + PKCE, docs/dashboard.md#sign-in); the
   * pasted-token sign-in stays. `resource`: the audience to ask for (RFC 8707), the services' AUTH_AUDIENCE.
   */
  oidc?: { issuer: string; clientId: string; scopes?: string[] | undefined; resource?: string | undefined } | undefined;
  log?: (line: string) => void;
}

export interface RunningDashboard {
  url: string;
  app: FastifyInstance;
  close: () => Promise<void>;
}

const FORWARDED_REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'x-request-id', 'last-event-id'];
const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'content-disposition',
  'cache-control',
  'digest',
  'etag',
  'location',
  'x-request-id',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
];

const problem = (reply: FastifyReply, status: number, title: string, detail: string) =>
  reply
    .code(status)
    .type('application/problem+json')
    .send({ type: `https://cabc.dev/problems/${title.toLowerCase().replaceAll(' ', '-')}`, title, status, detail });

/**
 * The dashboard's server: serves the built app and is its one origin. `/api/<service>/…` forwards to the services
 * (each service gets only a bearer token of its own audience; the services decide everything); `/api/events` merges the assessment service's
 * event stream with certificate changes; `/api/certificates` answers the caller's organization's certificate states.
 * It holds no keys and no data of its own.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const log = options.log ?? (() => undefined);
  if (options.build !== false) {
    const build = await ensureDashboardBuilt({ log });
    if (build.built) log(`dashboard built in ${build.ms} ms`);
  }
  if (!existsSync(path.join(distDir, 'index.html')))
    throw new Error(`the dashboard is not built (${distDir}); run with build enabled`);
  const upstreams: Record<string, string | undefined> = {
    assessment: options.assessmentUrl,
    certification: options.certificationBodyUrl,
    collector: options.collectorUrl,
  };
  const audiences = { ...defaultServiceAudiences, ...options.audiences };
  const certificates = createCertificateWatch({
    certificationBodyUrl: options.certificationBodyUrl,
    intervalMs: options.certificatePollMs,
    log,
  });
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => certificates.close());
  // The browser talks to the identity provider itself (discovery, token endpoint): only to it, beside this origin.
  const connectSources = ["'self'", ...(options.oidc ? [new URL(options.oidc.issuer).origin] : [])].join(' ');
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (
      String(reply.getHeader('content-type') ?? '').startsWith('text/html') &&
      !reply.hasHeader('content-security-policy')
    ) {
      reply.header(
        'content-security-policy',
        `default-src 'self'; connect-src ${connectSources}; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
      );
    }
    return payload;
  });

  /** Who the caller's token speaks for, as the assessment service says (cached briefly per token). */
  const sessions = new Map<
    string,
    { at: number; session: { subject: string; org: string; role: string } | undefined; status: number }
  >();
  async function sessionOf(request: FastifyRequest) {
    const authorization = request.headers.authorization ?? '';
    if (!carriesTokenFor(authorization, audiences.assessment))
      return { at: Date.now(), status: 401, session: undefined };
    const cached = sessions.get(authorization);
    if (cached && Date.now() - cached.at < 30_000) return cached;
    const response = await fetch(new URL('/v1/session', options.assessmentUrl), {
      headers: { authorization },
      signal: AbortSignal.timeout(5_000),
    });
    const entry = {
      at: Date.now(),
      status: response.status,
      session: response.ok ? ((await response.json()) as { subject: string; org: string; role: string }) : undefined,
    };
    if (sessions.size > 10_000) sessions.clear();
    sessions.set(authorization, entry);
    return entry;
  }

  app.get('/api/config', async () => ({
    auth: options.oidc
      ? {
          mode: 'oidc',
          issuer: options.oidc.issuer,
          clientId: options.oidc.clientId,
          scopes: options.oidc.scopes ?? ['openid'],
          ...(options.oidc.resource ? { resource: options.oidc.resource } : {}),
        }
      : { mode: 'bearer' },
    certificatePollMs: options.certificatePollMs ?? 2_000,
    audiences,
    collector: Boolean(options.collectorUrl),
  }));

  app.get('/api/certificates', async (request, reply) => {
    const { session, status } = await sessionOf(request);
    if (!session)
      return problem(
        reply,
        status === 401 ? 401 : 502,
        'Unauthorized',
        'sign in: the assessment service did not accept the token',
      );
    try {
      return { items: await certificates.snapshot(session.org) };
    } catch (error) {
      return problem(
        reply,
        502,
        'Certification body unavailable',
        error instanceof Error ? error.message : String(error),
      );
    }
  });

  app.get('/api/events', async (request, reply) => {
    const { session, status } = await sessionOf(request);
    if (!session)
      return problem(
        reply,
        status === 401 ? 401 : 502,
        'Unauthorized',
        'sign in: the assessment service did not accept the token',
      );
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const write = (text: string) => {
      if (!raw.destroyed && !raw.writableEnded) raw.write(text);
    };
    const upstream = new AbortController();
    let unsubscribe: (() => void) | undefined;
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    const end = () => {
      clearInterval(heartbeat);
      upstream.abort();
      unsubscribe?.();
      streams.delete(end);
      if (!raw.writableEnded) raw.end();
    };
    streams.add(end);
    raw.on('close', end);
    write('retry: 3000\n\n');
    write(formatSse('hello', session));
    unsubscribe = await certificates.subscribe(session.org, (change) => write(formatSse('certificate', change)));
    readEventStream(new URL('/v1/events', options.assessmentUrl).toString(), {
      headers: { authorization: request.headers.authorization ?? '' },
      signal: upstream.signal,
      onMessage: (message) => {
        if (message.event !== 'hello') write(`event: ${message.event}\ndata: ${message.data}\n\n`);
      },
    })
      .catch((error) => {
        if (!upstream.signal.aborted) log(`live events: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(end);
  });

  // The services, one origin for the browser: /api/assessment/v1/…, /api/certification/v1/…, /api/collector/v1/….
  await app.register(async (proxy) => {
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    proxy.all('/api/:service/*', async (request, reply) => {
      const { service } = request.params as { service: string };
      const upstream = upstreams[service];
      if (!upstream) return problem(reply, 404, 'Not found', `no service ${service}`);
      if (!carriesTokenFor(request.headers.authorization, audiences[service as DashboardService]))
        return problem(
          reply,
          401,
          'Unauthorized',
          `the bearer token is not one for the ${service} service (audience ${audiences[service as DashboardService]}); each service gets only its own tokens`,
        );
      const rest = request.url.slice(`/api/${service}`.length);
      // Judge the path the upstream will see: after URL normalization (encoded dot segments included).
      let pathOnly: string;
      try {
        pathOnly = new URL(rest, 'http://upstream.invalid').pathname;
        decodeURIComponent(pathOnly);
      } catch {
        return problem(reply, 400, 'Bad request', 'the path is not a valid URL path');
      }
      if (!/^\/(v1\/|\.well-known\/|openapi\.json$)/.test(pathOnly) || pathOnly !== (rest.split('?')[0] ?? '')) {
        return problem(reply, 404, 'Not found', `no such path ${pathOnly}`);
      }
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && Buffer.isBuffer(request.body);
      const abort = new AbortController();
      // The browser went away before the answer was sent: stop asking the service (an event stream, a large report).
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      let response: Response;
      try {
        response = await fetch(new URL(rest, upstream), {
          method: request.method,
          headers,
          ...(hasBody ? { body: request.body as Buffer } : {}),
          redirect: 'manual',
          signal: abort.signal,
        });
      } catch (error) {
        return problem(
          reply,
          502,
          'Bad gateway',
          `${service} did not answer: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      reply.code(response.status);
      for (const name of FORWARDED_RESPONSE_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null) reply.header(name, value);
      }
      if (!response.body) return reply.send();
      return reply.send(Readable.fromWeb(response.body as never));
    });
  });

  await app.register(fastifyStatic, {
    root: distDir,
    wildcard: false,
    index: false,
    setHeaders: (reply, file) => {
      reply.header(
        'cache-control',
        file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  // Every other GET is a page of the app (client-side routes): index.html.
  app.setNotFoundHandler((request, reply) => {
    if (request.method !== 'GET' || request.url.startsWith('/api/'))
      return problem(reply, 404, 'Not found', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });

  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });
  return { url: address.replace('[::1]', 'localhost'), app, close: () => app.close() };
}
