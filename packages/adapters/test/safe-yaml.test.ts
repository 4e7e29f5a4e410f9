import { describe, expect, it } from 'vitest';
import { parseYamlSafely } from '../src/index.ts';
import { adaptText, expectAdapterError } from './helpers.ts';

describe('parseYamlSafely', () => {
  it('uses the YAML 1.2 core schema: no implicit dates or yes/no booleans', () => {
    expect(parseYamlSafely('a: 2022-12-23\nb: no\nc: 1.5\nd: true\n')).toEqual({
      a: '2022-12-23',
      b: 'no',
      c: 1.5,
      d: true,
    });
  });

  it('refuses language-specific tags such as !!python/object', () => {
    const error = expectAdapterError(() => parseYamlSafely('model: !!python/object:os.system {}\n'), 'malformed');
    expect(error.message).toContain('tags are not accepted');
    expect(error.line).toBe(1);
  });

  it('refuses alias bombs', () => {
    const bomb = [
      'a: &a [x, x]',
      'b: &b [*a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c]',
    ].join('\n');
    const error = expectAdapterError(() => parseYamlSafely(bomb), 'malformed');
    expect(error.message).toContain('alias');
  });

  it('reports syntax errors and duplicate keys with a line', () => {
    const duplicate = expectAdapterError(() => parseYamlSafely('a: 1\nb: 2\na: 3\n'), 'malformed');
    expect(duplicate.line).toBe(3);
    const broken = expectAdapterError(() => parseYamlSafely('flavors:\n  - [unclosed\n'), 'malformed');
    expect(broken.line).toBeGreaterThan(0);
  });

  it('refuses prototype-reaching keys, naming the path', () => {
    expectAdapterError(
      () => parseYamlSafely('flavors:\n  sklearn:\n    __proto__: {x: 1}\n'),
      'forbidden_key',
      'flavors.sklearn.__proto__',
    );
  });

  it('enforces the depth limit', () => {
    expectAdapterError(() => parseYamlSafely(`${'['.repeat(70)}${']'.repeat(70)}`), 'too_deep');
  });

  it('reports front-matter errors at their line in the Markdown file', () => {
    const error = expectAdapterError(
      () => adaptText('---\nlicense: mit\nlicense: apache-2.0\n---\n# card\n', { format: 'hf-model-card' }),
      'malformed',
    );
    expect(error.line).toBe(3);
  });
});
