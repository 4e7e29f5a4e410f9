import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssessmentApp, type AssessmentFixture } from './support/assessment-app.ts';

describe('event streams are bounded', () => {
  let fixture: AssessmentFixture;
  let base: string;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('refuses a caller a ninth open stream with 429, and lets it open one again once another closed', async () => {
    const token = await fixture.token('auditor');
    const aborts: AbortController[] = [];
    const open = async () => {
      const abort = new AbortController();
      aborts.push(abort);
      return fetch(`${base}/v1/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    };
    try {
      for (let index = 0; index < 8; index += 1) expect((await open()).status).toBe(200);
      const refused = await open();
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { type: string }).type).toBe('https://cabc.dev/problems/too-many-streams');
      // Another caller is not affected.
      const other = await fetch(`${base}/v1/events`, {
        headers: { authorization: `Bearer ${await fixture.token('auditee')}` },
        signal: new AbortController().signal,
      });
      expect(other.status).toBe(200);
      await other.body?.cancel();
      aborts[0]!.abort();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await open()).status).toBe(200);
    } finally {
      for (const abort of aborts) abort.abort();
    }
  });
});
