import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createZip } from '../src/index.ts';

/** Python's zipfile reads the archive: names, sizes, methods, dates and CRCs (testzip) checked independently. */
function pythonRead(zip: Buffer) {
  const script = [
    'import sys, zipfile, io, json',
    'z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))',
    'entries = [[i.filename, i.compress_type, i.date_time, z.read(i).decode()] for i in z.infolist()]',
    'print(json.dumps({"bad": z.testzip(), "entries": entries}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: zip, encoding: 'utf8' }));
}

describe('the zip writer', () => {
  const at = new Date('2026-11-27T09:41:36Z');
  const observations = Array.from({ length: 200 }, (_, n) => ({ n, kind: 'performance' }));
  const json = `${JSON.stringify({ observations }, null, 2)}\n`;

  it('writes an archive another implementation reads back: deflated when smaller, stored otherwise, dated', () => {
    const read = pythonRead(
      createZip(
        [
          { name: 'assessment-results.json', content: json },
          { name: 'ä.txt', content: 'x' },
        ],
        at,
      ),
    );
    expect(read.bad).toBeNull();
    expect(read.entries).toEqual([
      ['assessment-results.json', 8, [2026, 11, 27, 9, 41, 36], json],
      ['ä.txt', 0, [2026, 11, 27, 9, 41, 36], 'x'],
    ]);
  });

  it('makes the same bytes from the same entries and date', () => {
    const entries = [{ name: 'a.json', content: json }];
    expect(createZip(entries, at).equals(createZip(entries, at))).toBe(true);
    expect(createZip(entries, at).equals(createZip(entries, new Date('2026-11-28T00:00:00Z')))).toBe(false);
  });
});
