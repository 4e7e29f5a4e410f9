import { describe, expect, it } from 'vitest';
import { adapt, detectFormat, formatDescriptions, formats } from '../src/index.ts';
import { fixtureCases, sampleCases } from './cases.ts';
import { adaptText, expectAdapterError, fixtureBytes, sampleBytes } from './helpers.ts';

describe('detectFormat', () => {
  it.each(sampleCases)('recognises the sample %s by content alone', (relative, format) => {
    expect(detectFormat({ bytes: sampleBytes(relative) })).toBe(format);
  });

  it.each(fixtureCases)('recognises the variant %s by content alone', (name, format) => {
    expect(detectFormat({ bytes: fixtureBytes(name) })).toBe(format);
  });

  it('falls back to the file name when the content is not recognisable', () => {
    expect(detectFormat({ bytes: Buffer.from('not: [valid'), filename: 'models/MLmodel' })).toBe('mlflow-mlmodel');
    expect(detectFormat({ bytes: Buffer.from('{"a": 1}') })).toBeUndefined();
    expect(detectFormat({ bytes: Buffer.from('{"a": ') })).toBeUndefined();
  });

  it('lists every format once with a description', () => {
    expect(new Set(formats).size).toBe(15);
    expect(formatDescriptions.map((description) => description.id).sort()).toEqual([...formats].sort());
    for (const description of formatDescriptions) {
      expect(description.detection.length).toBeGreaterThan(10);
      expect(description.kinds.length).toBeGreaterThan(0);
    }
  });
});

describe('adapt: format selection and input errors', () => {
  it('lets the format option override detection', () => {
    const bytes = sampleBytes('evidently/drift_report.json');
    expect(adapt({ bytes }, { format: 'evidently-snapshot' }).format).toBe('evidently-snapshot');
  });

  it('refuses a forced format the content does not fit', () => {
    const error = expectAdapterError(
      () => adapt({ bytes: sampleBytes('evidently/report.json') }, { format: 'great-expectations' }),
      'invalid',
    );
    expect(error.message).toContain('Great Expectations');
  });

  it('refuses unknown formats, given or found', () => {
    expectAdapterError(() => adaptText('{"hello": "world"}'), 'unknown_format');
    expectAdapterError(() => adaptText('just some text'), 'unknown_format');
    expectAdapterError(() => adaptText('a,b,c\n1,2,3\n:::\n  - ]['), 'unknown_format');
    expectAdapterError(
      () => adapt({ bytes: Buffer.from('{}') }, { format: 'sklearn-pickle' as never }),
      'unknown_format',
    );
  });

  it('reports malformed JSON with its position', () => {
    const error = expectAdapterError(() => adaptText('{"metrics": [\n  {"metric": "X", "result": }\n]}'), 'malformed');
    expect({ line: error.line, column: error.column }).toEqual({ line: 2, column: 29 });
  });

  it('refuses bytes that are not UTF-8', () => {
    expectAdapterError(() => adapt({ bytes: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }), 'malformed');
  });

  it('refuses empty input', () => {
    expectAdapterError(() => adaptText('  \n'), 'malformed');
  });

  it('refuses too deep nesting and prototype keys in tool outputs', () => {
    const deep = `{"metrics": [${'{"a":'.repeat(80)}1${'}'.repeat(80)}]}`;
    expectAdapterError(() => adaptText(deep), 'too_deep');
    const polluted = '{"run": {"info": {"run_id": "r1", "__proto__": {"admin": true}}, "data": {}}}';
    expectAdapterError(() => adaptText(polluted), 'forbidden_key', 'run.info.__proto__');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('applies the limits inside double-encoded JSON too', () => {
    const inner = JSON.stringify({ type: 'SuiteResult', results: [], constructor: 1 });
    const error = expectAdapterError(() => adaptText(JSON.stringify(inner)), 'forbidden_key', 'constructor');
    expect(error.message).toContain('double-encoded');
  });

  it('says which file-name hint did not match', () => {
    const error = expectAdapterError(() => adaptText('artifact_path: model\n', {}, 'MLmodel'), 'invalid');
    expect(error.message).toContain('flavors');
  });

  it('checks the observedAt option', () => {
    expectAdapterError(
      () => adapt({ bytes: sampleBytes('deepchecks/deepchecks_report.json') }, { observedAt: 'yesterday' }),
      'invalid',
      'observedAt',
    );
  });

  it('uses the caller media type for the raw artefact when given', () => {
    const result = adapt({ bytes: sampleBytes('mlflow-mlmodel/MLmodel'), mediaType: 'text/x-yaml' });
    expect(result.evidence[0]?.raw.mediaType).toBe('text/x-yaml');
  });
});
