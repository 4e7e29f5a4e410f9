import { describe, expect, it } from 'vitest';
import { adaptFixture, adaptSample, checkNamed, evidenceOfKind, FALLBACK_TIME, valueOf } from './helpers.ts';

describe('croissant', () => {
  it('maps the Titanic metadata to a dataset item whose subjects are the file digests', () => {
    const result = adaptSample('croissant/metadata.json');
    expect(result.format).toBe('croissant');
    const evidence = evidenceOfKind(result, 'dataset');
    expect(evidence.subjects).toEqual([
      {
        name: 'passengers.csv',
        uri: 'data/titanic.csv',
        digest: { sha256: 'c617db2c7470716250f6f001be51304c76bcc8815527ab8bae734bdca0735737' },
      },
      {
        name: 'genders.csv',
        uri: 'data/genders.csv',
        digest: { sha256: '3b0d1ce9ffb5224626105c50a0f9e5fbf941bcbcd913e5567aba25936333c3b8' },
      },
      {
        name: 'embarkation_ports.csv',
        uri: 'data/embarkation_ports.csv',
        digest: { sha256: '38dc364ac098f39ecb5c108c8911ef47a7256a146aef3c26c85e7cc01efdd047' },
      },
    ]);
    expect(valueOf(evidence, 'record_sets')).toBe(3);
    expect(valueOf(evidence, 'fields')).toBe(19);
    expect(valueOf(evidence, 'fields', 'passengers')).toBe(14);
    expect(valueOf(evidence, 'file_objects')).toBe(3);
    expect(valueOf(evidence, 'license')).toBe('afl-3.0');
    expect(valueOf(evidence, 'version')).toBe('1.0.0');
    expect(evidence.context).toEqual({ dataset: 'Titanic' });
    expect(evidence.producer).toMatchObject({
      tool: 'croissant',
      toolVersion: '1.0',
      uri: 'https://www.openml.org/d/40945',
    });
    expect(evidence.raw.mediaType).toBe('application/ld+json');
    expect(evidence.observedAt).toBe(FALLBACK_TIME);
  });

  it('keeps md5 beside sha256, reports md5-only and broken digests, counts RAI properties', () => {
    const evidence = evidenceOfKind(adaptFixture('croissant-mixed-digests.json'), 'dataset');
    expect(evidence.subjects).toEqual([
      {
        name: 'visits.parquet',
        uri: 'https://data.example.org/visits.parquet',
        digest: {
          sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          md5: '098f6bcd4621d373cade4e832627b4f6',
        },
      },
    ]);
    expect(checkNamed(evidence, 'sha256:legacy.csv')).toMatchObject({ status: 'warn' });
    expect(checkNamed(evidence, 'sha256:broken.csv')).toMatchObject({ status: 'fail' });
    expect(checkNamed(evidence, 'present:citeAs').status).toBe('warn');
    expect(valueOf(evidence, 'file_sets')).toBe(1);
    expect(valueOf(evidence, 'rai_properties')).toBe(2);
    expect(valueOf(evidence, 'license')).toBe('https://creativecommons.org/licenses/by/4.0/');
    expect(evidence.producer.toolVersion).toBe('1.1');
    expect(evidence.observedAt).toBe('2024-05-02T00:00:00.000Z');
  });
});
