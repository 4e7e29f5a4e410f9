import { expect } from 'vitest';
import { describeShutdown } from '@cabc/testing';
import { loadCollectorConfig } from '../src/config.ts';
import { startCollector } from '../src/service.ts';
import { bearer, collectorEnv, performanceEvidence } from './support/collector-app.ts';

describeShutdown({
  name: 'collector',
  database: 'evidence-collector',
  // The delivery worker.
  workerConnections: 1,
  async start({ databaseUrl, prefix, env }) {
    const service = await startCollector(loadCollectorConfig(await collectorEnv(databaseUrl, prefix, env)));
    return {
      service,
      async exercise() {
        const submitted = await fetch(`${service.url}/v1/evidence`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(await bearer('pipeline')) },
          body: JSON.stringify(performanceEvidence()),
        });
        expect(submitted.status).toBe(201);
      },
    };
  },
});
