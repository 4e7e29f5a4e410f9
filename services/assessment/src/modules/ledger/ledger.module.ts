import type { Kysely } from 'kysely';
import type { SigningKeyStore } from '@cabc/key-store';
import { createLedgerRepository } from './ledger.repository.ts';
import { createLedgerSequencer, type LedgerSequencer } from './ledger.sequencer.ts';
import { createLedgerService } from './ledger.service.ts';
import { defaultLedgerOrigin, type LedgerSettings } from './ledger.settings.ts';

export { registerLedgerRoutes } from './ledger.routes.ts';
export { startCheckpointTimer } from './checkpoint-timer.ts';
export { registerLedgerMetrics } from './ledger-metrics.ts';
export type { LedgerSequencer } from './ledger.sequencer.ts';
export { ledgerEnvShape, ledgerSettingsOf, type LedgerSettings } from './ledger.settings.ts';

/** The evidence ledger of one assessment service: its Postgres store, the service over it, and the appender for ingest. */
export function createLedger(deps: {
  db: Kysely<any>;
  keys: SigningKeyStore;
  issuer: string;
  settings?: Partial<LedgerSettings> | undefined;
}) {
  const settings: LedgerSettings = {
    enabled: true,
    origin: defaultLedgerOrigin(deps.issuer),
    checkpointIntervalMs: 60_000,
    ...deps.settings,
  };
  const repository = createLedgerRepository(deps.db);
  const service = createLedgerService({ ledger: repository, keys: deps.keys, origin: settings.origin });
  /** Undefined when the ledger is off (LEDGER_ENABLED=false): evidence is then stored without a leaf. */
  const appender: LedgerSequencer | undefined = settings.enabled
    ? createLedgerSequencer(deps.db, repository)
    : undefined;
  return { settings, repository, service, appender };
}
