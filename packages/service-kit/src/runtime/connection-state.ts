import type { Logger } from 'pino';

export interface ConnectionState {
  /** The connection failed: logged once, on the change from up to down; repeats while down are debug lines. */
  down: (error: unknown) => void;
  /** The connection works (again): logged once, on the change from down to up. */
  up: () => void;
  readonly isDown: boolean;
}

/** The error's code and message only: a reconnect loop must not print a stack per attempt. */
function summary(error: unknown): { code?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { ...(typeof code === 'string' ? { code } : {}), message: error.message };
  }
  return { message: String(error) };
}

/**
 * Infrastructure errors logged once per state change, as structured lines: `what` went down (warn, with the first
 * error's code and message) and came back (info, with the outage's length). A Redis or Postgres outage otherwise
 * prints one error per reconnect attempt.
 */
export function connectionState(logger: Pick<Logger, 'warn' | 'info' | 'debug'>, what: string): ConnectionState {
  let downSince: number | undefined;
  return {
    down(error) {
      if (downSince !== undefined) {
        logger.debug({ connection: what, error: summary(error) }, `${what} still unavailable`);
        return;
      }
      downSince = Date.now();
      logger.warn({ connection: what, error: summary(error) }, `${what} unavailable; reconnecting`);
    },
    up() {
      if (downSince === undefined) return;
      const outageMs = Date.now() - downSince;
      downSince = undefined;
      logger.info({ connection: what, outageMs }, `${what} available again`);
    },
    get isDown() {
      return downSince !== undefined;
    },
  };
}
