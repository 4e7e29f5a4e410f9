import { expect } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { describeShutdown } from '@cabc/testing';
import { loadCertificationConfig } from '../src/config.ts';
import { startCertificationBody } from '../src/service.ts';
import {
  certificationEnv,
  postureClaims,
  scopeClaims,
  signedCallback,
  signedScopeDecision,
} from './support/certification-app.ts';

describeShutdown({
  name: 'certification body',
  database: 'certification-body',
  // The webhook delivery worker.
  workerConnections: 1,
  async start({ databaseUrl, prefix, env }) {
    const auditorKey = await generateSigningKey();
    const service = await startCertificationBody(
      loadCertificationConfig(certificationEnv(databaseUrl, prefix, [auditorKey], env)),
    );
    const post = async (route: 'scope' | 'assessment', token: string) =>
      fetch(`${service.url}/v1/callbacks/${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/jose' },
        body: token,
      });
    return {
      service,
      async exercise() {
        expect(
          (await post('scope', await signedScopeDecision(scopeClaims({ toe: 'toe-shutdown' }), auditorKey))).status,
        ).toBe(200);
        expect(
          (await post('assessment', await signedCallback(postureClaims({ toe: 'toe-shutdown' }), auditorKey))).status,
        ).toBe(200);
      },
    };
  },
});
