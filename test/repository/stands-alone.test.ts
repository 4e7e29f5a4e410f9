import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The repository must work from a fresh clone with nothing beside it: no file may reach the project's workbench
// (a sibling folder named "shared") or any path above the repository root.
const root = path.resolve(import.meta.dirname, '../..');
const skipped = new Set(['.git', 'node_modules', '.tools', '.data', 'test-artifacts', 'dist', '.turbo', '.venv']);
const textFile = /\.(ts|tsx|js|mjs|cjs|json|md|sh|yml|yaml|toml|py|cfg|html|css|txt)$|^(Dockerfile|run|cabc|README)$/;

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile() && textFile.test(entry.name) && statSync(full).size < 2_000_000) yield full;
  }
}

// Built from pieces so that this file does not match its own patterns.
const workbench = ['..', 'shared'].join('/');
const forbidden = [
  { name: 'the workbench beside the repository', pattern: new RegExp(`${workbench.replaceAll('.', '\\.')}\\b`) },
  { name: 'the workbench samples', pattern: new RegExp(['shared', 'samples'].join('/')) },
  { name: 'the old design document', pattern: new RegExp(`${'DESIGN'} §|${'DESIGN'}\\.md`) },
];
/** A string literal that starts with ../ segments, e.g. '../../x', and path.resolve(dir, '..', '..'). */
const relativeLiteral = /['"`]((?:\.\.\/)+)/g;
const dotDotArguments = /(?:resolve|join)\(\s*import\.meta\.dirname((?:\s*,\s*['"]\.\.['"])+)/g;

function escapesRoot(file: string, text: string): string[] {
  if (!/\.(ts|tsx|js|mjs|cjs)$/.test(file)) return [];
  const depth = path.relative(root, path.dirname(file)).split(path.sep).filter(Boolean).length;
  const found: string[] = [];
  for (const match of text.matchAll(relativeLiteral)) {
    const ups = match[1]!.length / 3;
    if (ups > depth) found.push(`${match[0]}… goes ${ups} folders up from a file ${depth} deep`);
  }
  for (const match of text.matchAll(dotDotArguments)) {
    const ups = (match[1]!.match(/\.\./g) ?? []).length;
    if (ups > depth) found.push(`${match[0]} goes ${ups} folders up from a file ${depth} deep`);
  }
  return found;
}

describe('the repository stands alone', () => {
  const files = [...walk(root)];

  it('scans the whole tree', () => {
    expect(files.length).toBeGreaterThan(300);
  });

  it('no file refers to the workbench, its samples or its design document', () => {
    const hits = files.flatMap((file) => {
      const lines = readFileSync(file, 'utf8').split('\n');
      return lines.flatMap((line, index) =>
        forbidden
          .filter(({ pattern }) => pattern.test(line))
          .map(({ name }) => `${path.relative(root, file)}:${index + 1} refers to ${name}`),
      );
    });
    expect(hits).toEqual([]);
  });

  it('no source file reaches a path above the repository root', () => {
    const hits = files.flatMap((file) =>
      escapesRoot(file, readFileSync(file, 'utf8')).map((hit) => `${path.relative(root, file)}: ${hit}`),
    );
    expect(hits).toEqual([]);
  });

  it('the checks find what they look for (a planted reference fails)', () => {
    const planted = `const samples = path.resolve(import.meta.dirname, '${'../'.repeat(4)}${'shared'}/samples');`;
    expect(forbidden.some(({ pattern }) => pattern.test(planted))).toBe(true);
    expect(escapesRoot(path.join(root, 'packages/x/test/a.ts'), planted)).toHaveLength(1);
    const up = (count: number) => Array(count).fill("'..'").join(', ');
    expect(
      escapesRoot(path.join(root, 'packages/x/test/a.ts'), `path.resolve(import.meta.dirname, ${up(4)})`),
    ).toHaveLength(1);
    expect(
      escapesRoot(
        path.join(root, 'packages/x/test/a.ts'),
        `path.resolve(import.meta.dirname, '${'../'.repeat(3)}fixtures')`,
      ),
    ).toEqual([]);
  });
});
