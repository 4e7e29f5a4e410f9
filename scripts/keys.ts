// `pnpm keys <list|prepare|rotate|reseal> --service <name>`: signing key management on a service's own database, with
// the service's DATABASE_URL and KEY_ENCRYPTION_SECRET (docs/keys.md). Running services pick a rotation up within
// seconds (they re-read the active key id).
import { runKeysCommand } from '@cabc/key-store';
import { createDatabase } from '@cabc/service-kit';

const result = await runKeysCommand(process.argv.slice(2), process.env, (url) => createDatabase<any>(url, { max: 1 }));
(result.code === 0 ? process.stdout : process.stderr).write(`${result.output}\n`);
process.exit(result.code);
