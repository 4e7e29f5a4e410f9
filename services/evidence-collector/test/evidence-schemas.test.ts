import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectorApp, type CollectorFixture } from './support/collector-app.ts';

describe('published evidence JSON Schemas', () => {
  let fixture: CollectorFixture;
  beforeAll(async () => {
    fixture = await startCollectorApp();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('serves the predicate and statement schemas to anyone, as application/schema+json', async () => {
    for (const name of ['evidence-predicate.v1.schema.json', 'evidence-statement.v1.schema.json']) {
      const response = await fixture.app.inject({ method: 'GET', url: `/v1/schemas/${name}` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/schema\+json/);
      expect(response.json().$id).toBe(
        `https://cabc.dev/attestations/evidence/v1/${name.replace('evidence-', '').replace('.v1', '')}`,
      );
    }
  });
});
