import { z } from 'zod';
import { envBoolean, envDuration } from '@cabc/service-kit';

/** Key names of signed notes: non-empty, no Unicode space, no "+" (C2SP signed-note). */
const noteKeyName = /^[^\p{White_Space}+]+$/u;

/** The ledger's environment variables; spread into the service's env schema. */
export const ledgerEnvShape = {
  /** Append accepted evidence to the Merkle log. Only benchmarks turn it off: evidence accepted while off is never logged. */
  LEDGER_ENABLED: envBoolean(true),
  /** How often the tree head is signed when the log grew (a plain timer, independent of Redis). */
  CHECKPOINT_INTERVAL: envDuration('1m'),
  /** The log's identity: the checkpoint's first line and the note key name. Default `<AUDITOR_ISSUER>/ledger`. */
  LEDGER_ORIGIN: z.string().max(255).regex(noteKeyName, 'no spaces and no "+"').optional(),
};

export interface LedgerSettings {
  enabled: boolean;
  origin: string;
  checkpointIntervalMs: number;
}

/** The default origin: the auditor's issuer name with what a note key name may not hold replaced. */
export function defaultLedgerOrigin(issuer: string): string {
  return `${issuer.replaceAll(/[\p{White_Space}+]/gu, '-')}/ledger`;
}

export function ledgerSettingsOf(config: {
  LEDGER_ENABLED: boolean;
  CHECKPOINT_INTERVAL: number;
  LEDGER_ORIGIN?: string | undefined;
  AUDITOR_ISSUER: string;
}): LedgerSettings {
  return {
    enabled: config.LEDGER_ENABLED,
    origin: config.LEDGER_ORIGIN ?? defaultLedgerOrigin(config.AUDITOR_ISSUER),
    checkpointIntervalMs: config.CHECKPOINT_INTERVAL,
  };
}
