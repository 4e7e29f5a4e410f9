import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const migrationsRoot = path.join(repositoryRoot, 'migrations');
/** `<sha256>  <path below migrations/>` per line, the format of `sha256sum`, so `cd migrations && sha256sum -c` works. */
export const checksumFile = path.join(migrationsRoot, 'SHA256SUMS');

/** Every migration file (`migrations/<service>/<name>.ts`) with the SHA-256 of its bytes. */
export function migrationChecksums(): Map<string, string> {
  const sums = new Map<string, string>();
  for (const service of readdirSync(migrationsRoot, { withFileTypes: true })) {
    if (!service.isDirectory()) continue;
    for (const file of readdirSync(path.join(migrationsRoot, service.name))) {
      if (!file.endsWith('.ts')) continue;
      const relative = `${service.name}/${file}`;
      sums.set(
        relative,
        createHash('sha256')
          .update(readFileSync(path.join(migrationsRoot, relative)))
          .digest('hex'),
      );
    }
  }
  return sums;
}

export function readRecordedChecksums(): Map<string, string> {
  if (!existsSync(checksumFile)) return new Map();
  const recorded = new Map<string, string>();
  for (const line of readFileSync(checksumFile, 'utf8').split('\n')) {
    const match = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
    if (match) recorded.set(match[2]!, match[1]!);
  }
  return recorded;
}
