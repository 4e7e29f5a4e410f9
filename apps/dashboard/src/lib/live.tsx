import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { authHeader } from './api.ts';
import { readEventStream } from './sse.ts';

export type LiveEvent =
  | {
      type: 'posture';
      data: { toe: string; posture: string; previousPosture: string | null; sequence: number; at: string | null };
    }
  | { type: 'evaluated'; data: { toe: string; lastResultId: number | null } }
  | { type: 'toe'; data: { toe: string; change: string } }
  | {
      type: 'certificate';
      data: {
        id: string;
        toe: string;
        status: string;
        previousStatus: string | null;
        reason: string | null;
        since: string | null;
        scopeVersion: number | null;
      };
    };

type Listener = (event: LiveEvent) => void;
type State = 'connecting' | 'live' | 'offline';

const LiveContext = createContext<{
  state: State;
  subscribe: (listener: Listener) => () => void;
  last: LiveEvent | null;
} | null>(null);

/**
 * The dashboard's live connection: one Server-Sent Events stream (`/api/events`, over fetch so it carries the bearer
 * token) with posture, result and certificate changes of the organization; reconnects with backoff.
 */
export function LiveProvider({ token, children }: { token: string; children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const [state, setState] = useState<State>('connecting');
  const [last, setLast] = useState<LiveEvent | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    let attempt = 0;
    const run = async () => {
      while (!abort.signal.aborted) {
        setState('connecting');
        try {
          await readEventStream('/api/events', {
            headers: authHeader('assessment'),
            signal: abort.signal,
            onOpen: () => {
              attempt = 0;
              setState('live');
            },
            onMessage: (message) => {
              if (message.event === 'hello') return;
              let data: unknown;
              try {
                data = JSON.parse(message.data);
              } catch {
                return;
              }
              const event = { type: message.event, data } as LiveEvent;
              setLast(event);
              for (const listener of listeners.current) listener(event);
            },
          });
        } catch (error) {
          if ((error as { status?: number }).status === 401) {
            setState('offline');
            return;
          }
        }
        if (abort.signal.aborted) return;
        setState('offline');
        attempt += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 500 * 2 ** attempt)));
      }
    };
    void run();
    return () => abort.abort();
  }, [token]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo(() => ({ state, subscribe, last }), [state, subscribe, last]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): { state: State; last: LiveEvent | null; subscribe: (listener: Listener) => () => void } {
  const value = useContext(LiveContext);
  if (!value) throw new Error('useLive outside LiveProvider');
  return value;
}

/** Calls `listener` with each live event while the component is mounted. */
export function useLiveEvents(listener: Listener): void {
  const { subscribe } = useLive();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => subscribe((event) => ref.current(event)), [subscribe]);
}
