// `node scripts/freeze-migrations.ts`: records the SHA-256 of every migration that is not in migrations/SHA256SUMS
// yet. It never changes a recorded line: a migration that has shipped is frozen, and a fix is a new migration
// (test/repository/frozen-migrations.test.ts fails when a recorded file changed or a new one is not recorded).
import { writeFileSync } from 'node:fs';
import { checksumFile, migrationChecksums, readRecordedChecksums } from './lib/migration-checksums.ts';

const recorded = readRecordedChecksums();
const current = migrationChecksums();
const changed = [...current].filter(([file, sum]) => recorded.has(file) && recorded.get(file) !== sum);
if (changed.length > 0) {
  process.stderr.write(
    `cabc: these migrations changed after they were recorded; restore them and put the fix in a new migration:\n` +
      changed.map(([file]) => `  ${file}\n`).join(''),
  );
  process.exit(1);
}
const added = [...current].filter(([file]) => !recorded.has(file));
const lines = [...recorded, ...added].sort(([a], [b]) => a.localeCompare(b)).map(([file, sum]) => `${sum}  ${file}\n`);
writeFileSync(checksumFile, lines.join(''));
process.stderr.write(`cabc: ${added.length} migration(s) recorded${added.map(([file]) => `\n  ${file}`).join('')}\n`);
