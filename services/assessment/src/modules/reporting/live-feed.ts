import pg from 'pg';
import type { Logger } from 'pino';
import type { LiveRow, ReportingRepository } from './reporting.repository.ts';

export type LiveEvent =
  | {
      type: 'posture';
      data: {
        toe: string;
        posture: string | null;
        previousPosture: string | null;
        sequence: number;
        assessmentId: string | null;
        at: string | null;
      };
    }
  | { type: 'evaluated'; data: { toe: string; lastResultId: number | null } }
  | { type: 'toe'; data: { toe: string; change: 'created' } };

export interface LiveSubscriber {
  org: string;
  toe?: string | undefined;
  send: (event: LiveEvent) => void;
}

/**
 * Posture changes and new requirement results of the organizations someone watches, as events. The postures and
 * requirement_results tables are the truth: while anyone listens, the feed reads the state of the watched
 * organizations (posture sequence and newest result id per ToE) every `intervalMs` and emits what changed. With a
 * database URL it also LISTENs to the `cabc_reporting` notifications (migration 20261128_0006) and reads at once
 * when one arrives, so events come within milliseconds; without, within one interval. Works the same with any
 * number of replicas: each one compares committed state.
 */
export function createLiveFeed(deps: {
  repository: ReportingRepository;
  logger: Logger;
  intervalMs?: number;
  databaseUrl?: string | undefined;
}) {
  const intervalMs = deps.intervalMs ?? 1_000;
  const subscribers = new Set<LiveSubscriber>();
  /** Last seen state per ToE, per watched organization (an organization is known once read). */
  const known = new Map<string, Map<string, LiveRow>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let listener: pg.Client | undefined;
  let closed = false;

  const watchedOrgs = () => new Set([...subscribers].map((subscriber) => subscriber.org));

  function emit(org: string, event: LiveEvent) {
    for (const subscriber of subscribers) {
      if (subscriber.org !== org) continue;
      if (subscriber.toe && subscriber.toe !== event.data.toe) continue;
      try {
        subscriber.send(event);
      } catch (error) {
        deps.logger.debug({ err: error }, 'live subscriber failed');
      }
    }
  }

  async function readOnce(): Promise<void> {
    const orgs = watchedOrgs();
    for (const org of known.keys()) if (!orgs.has(org)) known.delete(org);
    if (orgs.size === 0) return;
    const rows = await deps.repository.liveState([...orgs]);
    const byOrg = new Map<string, LiveRow[]>();
    for (const row of rows) byOrg.set(row.org, [...(byOrg.get(row.org) ?? []), row]);
    for (const org of orgs) {
      const previous = known.get(org);
      const next = new Map((byOrg.get(org) ?? []).map((row) => [row.toe, row]));
      known.set(org, next);
      if (!previous) continue;
      for (const [toe, row] of next) {
        const before = previous.get(toe);
        if (!before) emit(org, { type: 'toe', data: { toe, change: 'created' } });
        if (row.sequence > (before?.sequence ?? 0)) {
          emit(org, {
            type: 'posture',
            data: {
              toe,
              posture: row.posture,
              previousPosture: before?.posture ?? null,
              sequence: row.sequence,
              assessmentId: row.assessmentId,
              at: row.updatedAt?.toISOString() ?? null,
            },
          });
        }
        if ((row.lastResultId ?? 0) > (before?.lastResultId ?? 0))
          emit(org, { type: 'evaluated', data: { toe, lastResultId: row.lastResultId } });
      }
    }
  }

  /** Reads now, or once more right after the read in progress. */
  function poke(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await readOnce();
        } while (again && !closed);
      } catch (error) {
        deps.logger.warn({ err: error }, 'live feed could not read the posture state');
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  async function startListening() {
    if (!deps.databaseUrl || listener) return;
    const client = new pg.Client({ connectionString: deps.databaseUrl });
    listener = client;
    client.on('error', (error) =>
      deps.logger.warn({ err: error }, 'live feed notification connection failed; reading on the timer only'),
    );
    client.on('notification', () => void poke());
    try {
      await client.connect();
      await client.query('listen cabc_reporting');
    } catch (error) {
      deps.logger.warn({ err: error }, 'live feed cannot LISTEN; reading on the timer only');
    }
  }

  async function stopListening() {
    const client = listener;
    listener = undefined;
    await client?.end().catch(() => undefined);
  }

  function start() {
    if (timer || closed) return;
    timer = setInterval(() => void poke(), intervalMs);
    timer.unref();
    void startListening();
  }

  async function stop() {
    if (timer) clearInterval(timer);
    timer = undefined;
    known.clear();
    await stopListening();
  }

  return {
    /** Adds a subscriber; the organization's current state is read first, so only later changes are events. */
    async subscribe(subscriber: LiveSubscriber): Promise<() => void> {
      subscribers.add(subscriber);
      if (!known.has(subscriber.org)) await poke();
      start();
      return () => {
        subscribers.delete(subscriber);
        if (subscribers.size === 0) void stop();
      };
    },
    /** Reads the state now (tests, and the notification doorbell). */
    poke,
    get size() {
      return subscribers.size;
    },
    async close() {
      closed = true;
      subscribers.clear();
      await stop();
    },
  };
}

export type LiveFeed = ReturnType<typeof createLiveFeed>;
