import type { FastifyInstance } from 'fastify';

export interface RunningService<App extends FastifyInstance = FastifyInstance> {
  app: App;
  /** Base URL the service listens on. */
  url: string;
  /** Stops the server, then its workers, queues, Redis connections and pool (in that order). */
  close: () => Promise<void>;
}

/** Listens and returns the base URL; `close` is the app's close, whose onClose hooks release everything else. */
export async function listen<App extends FastifyInstance>(
  app: App,
  host: string,
  port: number,
): Promise<RunningService<App>> {
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const scheme = app.initialConfig.https ? 'https' : 'http';
  return { app, url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`, close: () => app.close() };
}
