import { describe, expect, it } from 'vitest';
import { migrationChecksums, readRecordedChecksums } from '../../scripts/lib/migration-checksums.ts';

// A migration that has shipped is frozen: databases out there ran it, so editing it would leave them different
// from a fresh one. migrations/SHA256SUMS records every migration's bytes; a fix goes in a new migration, recorded
// with `node scripts/freeze-migrations.ts` (which never rewrites a recorded line).
describe('frozen migrations', () => {
  const recorded = readRecordedChecksums();
  const current = migrationChecksums();

  it('records the services’ migrations (the list is not empty, and only lists files that exist)', () => {
    expect(recorded.size).toBeGreaterThan(10);
    expect([...recorded.keys()].filter((file) => !current.has(file))).toEqual([]);
  });

  it('finds every recorded migration unchanged, byte for byte', () => {
    const changed = [...recorded].filter(([file, sum]) => current.get(file) !== sum).map(([file]) => file);
    expect(changed, 'restore these and put the change in a new migration').toEqual([]);
  });

  it('has every migration recorded (node scripts/freeze-migrations.ts records new ones)', () => {
    expect([...current.keys()].filter((file) => !recorded.has(file))).toEqual([]);
  });
});
