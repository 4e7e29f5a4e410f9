import { Command } from 'commander';
import { registerEvidencePushCommand } from './commands/evidence-push.ts';
import { registerLedgerCommand } from './commands/ledger-verify.ts';
import { registerOscalCommand } from './commands/oscal-bundle.ts';
import { registerOutboxCommand } from './commands/outbox.ts';
import { registerCertVerifyCommand } from './commands/cert-verify.ts';
import { registerTokenCommand } from './commands/token.ts';

const program = new Command()
  .name('cabc')
  .description('CABC command line: tokens, evidence, certificates, ledger, OSCAL, outbox dead letters')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode));

registerTokenCommand(program);
registerCertVerifyCommand(program);
registerEvidencePushCommand(program);
registerLedgerCommand(program);
registerOscalCommand(program);
registerOutboxCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`cabc: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1);
}
