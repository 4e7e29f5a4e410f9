import type { Logger } from 'pino';
import { createLedgerClient } from './ledger-watch.client.ts';
import type { LedgerWatchRepository } from './ledger-watch.repository.ts';
import { createLedgerWatcher } from './ledger-watch.service.ts';
import { createReceiptVerifier } from './receipt-verifier.ts';
import type { LedgerWatchSettings } from './ledger-watch.settings.ts';
import { startLedgerWatchTimer } from './ledger-watch.timer.ts';

export { registerLedgerWatchRoutes } from './ledger-watch.routes.ts';
export { createLedgerWatchRepository } from './ledger-watch.repository.ts';
export { ledgerWatchEnvShape, ledgerWatchSettingsOf, type LedgerWatchSettings } from './ledger-watch.settings.ts';

/** The watcher over the auditor's ledger, on its timer (LEDGER_WATCH_INTERVAL; 0 = off). */
export function startLedgerWatch(deps: {
  repository: LedgerWatchRepository;
  logger: Logger;
  settings: LedgerWatchSettings;
}) {
  const logger = deps.logger.child({ worker: 'ledger-watch' });
  const watcher = createLedgerWatcher({
    repository: deps.repository,
    client: createLedgerClient(deps.settings.ledgerUrl),
    logger,
    verifyReceipt: createReceiptVerifier(new URL('/.well-known/jwks.json', deps.settings.ledgerUrl).toString()),
    verifierKey: deps.settings.verifierKey,
    batch: deps.settings.batch,
  });
  return startLedgerWatchTimer({ watcher, logger, intervalMs: deps.settings.intervalMs });
}
