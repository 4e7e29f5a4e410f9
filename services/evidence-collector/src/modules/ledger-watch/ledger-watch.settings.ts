import { z } from 'zod';
import { envDuration } from '@cabc/service-kit';

/** The watcher's environment variables; spread into the collector's env schema. */
export const ledgerWatchEnvShape = {
  /** How often the auditor's ledger is checked; 0 turns the watcher off. A plain timer, independent of Redis. */
  LEDGER_WATCH_INTERVAL: envDuration('1m'),
  /** Base URL of the assessment service whose ledger is watched; default ASSESSMENT_URL. */
  LEDGER_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The auditor's note verifier key (`<origin>+<key id>+<base64 key>`), obtained out of band. Without it the key the
   * service publishes on the first successful check is pinned (trust on first use).
   */
  LEDGER_VERIFIER_KEY: z
    .string()
    .regex(
      /^[^+\s]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/]+=*$/,
      'a note verifier key <name>+<8 hex digit key id>+<base64 key>',
    )
    .optional(),
  /** Receipts re-checked per run (inclusion under the newest checkpoint and the auditor's stored entry), oldest check first. */
  LEDGER_WATCH_BATCH: z.coerce.number().int().min(1).max(100_000).default(500),
};

export interface LedgerWatchSettings {
  intervalMs: number;
  ledgerUrl: string;
  verifierKey: string | undefined;
  batch: number;
}

export function ledgerWatchSettingsOf(config: {
  LEDGER_WATCH_INTERVAL: number;
  LEDGER_URL?: string | undefined;
  LEDGER_VERIFIER_KEY?: string | undefined;
  LEDGER_WATCH_BATCH: number;
  ASSESSMENT_URL: string;
}): LedgerWatchSettings {
  return {
    intervalMs: config.LEDGER_WATCH_INTERVAL,
    ledgerUrl: config.LEDGER_URL ?? config.ASSESSMENT_URL,
    verifierKey: config.LEDGER_VERIFIER_KEY,
    batch: config.LEDGER_WATCH_BATCH,
  };
}
