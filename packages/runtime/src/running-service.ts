import type { Server } from '@cabc/http-kit';

export interface RunningService {
  app: Server;
  /** Base URL the service listens on. */
  url: string;
  /** Stops the server, then its workers, queues, Redis connections and pool (in that order). */
  close: () => Promise<void>;
}

/** Listens and returns the base URL; `close` is the app's close, whose onClose hooks release everything else. */
export async function listen(app: Server, host: string, port: number): Promise<RunningService> {
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { app, url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`, close: () => app.close() };
}
