import type { SigningKeyStore } from './signing-key-store.ts';

interface TimerLogger {
  info: (object: object, message: string) => void;
  error: (object: object, message: string) => void;
}

/**
 * Scheduled rotation (SIGNING_KEY_ROTATION_INTERVAL; 0 = off): checks every `checkEveryMs` whether a next key is due
 * (prepared and announced when the active key is `intervalMs` old) or ready (activated after `overlapMs`). Replicas
 * agree through the store's lock. Returns the stop function.
 */
export function startKeyRotationTimer(deps: {
  keys: SigningKeyStore;
  intervalMs: number;
  overlapMs: number;
  logger: TimerLogger;
  checkEveryMs?: number;
}): () => Promise<void> {
  if (deps.intervalMs <= 0) return async () => {};
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= deps.keys
      .rotateIfDue({ intervalMs: deps.intervalMs, overlapMs: deps.overlapMs })
      .then((step) => {
        if (step !== 'none') deps.logger.info({ step, service: deps.keys.service }, `scheduled key rotation: ${step}`);
      })
      .catch((error: unknown) =>
        deps.logger.error({ err: error }, 'scheduled key rotation failed; retried at the next check'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, deps.checkEveryMs ?? Math.min(60_000, Math.max(1_000, deps.overlapMs / 4)));
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
