export interface PeriodicTask<T> {
  /** One run now, after the run in progress (if any) settled; its error goes to the caller. */
  runOnce: () => Promise<T>;
  /** Stops the timer and waits for the run in progress. */
  stop: () => Promise<void>;
}

/**
 * Runs `run` every `intervalMs` on a plain timer (no Redis), one run at a time: a tick that finds a run in progress
 * does nothing. Errors of timed runs go to `onError` and the next tick tries again. `intervalMs` 0 turns the timer off
 * (`runOnce` still works); `immediately` makes the first run start at once instead of after one interval.
 */
export function startPeriodic<T>(options: {
  run: () => Promise<T>;
  intervalMs: number;
  onError: (error: unknown) => void;
  immediately?: boolean;
}): PeriodicTask<T> {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = options
      .run()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
      });
  };
  const timer = options.intervalMs > 0 ? setInterval(tick, options.intervalMs) : undefined;
  timer?.unref();
  if (options.immediately && timer) tick();
  return {
    runOnce: async () => {
      await running;
      return options.run();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
