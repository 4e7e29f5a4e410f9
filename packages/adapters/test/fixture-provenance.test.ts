import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { samplesDir } from './helpers.ts';

const provenance = readFileSync(path.join(samplesDir, 'PROVENANCE.md'), 'utf8');
/** Rows of the table: | `file` | repo | `path` | `commit` | licence | `sha256` | content | */
const recorded = new Map(
  [...provenance.matchAll(/^\| `([^`]+)` \|[^|]+\|[^|]+\| `[0-9a-f]{40}` \|[^|]+\| `([0-9a-f]{64})` \|/gm)].map((m) => [
    m[1]!,
    m[2]!,
  ]),
);
const files = readdirSync(samplesDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name !== 'PROVENANCE.md')
  .map((entry) => path.relative(samplesDir, path.join(entry.parentPath, entry.name)));

describe('fixtures/tool-outputs/PROVENANCE.md', () => {
  it('has a row with origin, commit, licence and digest for every tool output, and none for missing files', () => {
    expect(files.length).toBeGreaterThanOrEqual(11);
    expect([...recorded.keys()].sort()).toEqual([...files].sort());
  });

  it.each(files)('%s is byte for byte the file its row records', (file) => {
    expect(
      createHash('sha256')
        .update(readFileSync(path.join(samplesDir, file)))
        .digest('hex'),
    ).toBe(recorded.get(file));
  });
});
