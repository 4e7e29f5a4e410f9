import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '@cabc/adapters';
import { EVIDENCE_PREDICATE_TYPE, IN_TOTO_STATEMENT_TYPE } from '@cabc/contracts';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import { createDatabase, type RunningService } from '@cabc/service-kit';
import { mintToken, type Role } from '@cabc/auth';
import { createTestDatabase, deleteRedisPrefix, testQueuePrefix, waitFor, type TestDatabase } from '@cabc/testing';
import { loadAssessmentConfig } from '../src/config.ts';
import { startAssessment } from '../src/service.ts';
import { assessmentEnv, signedEnvelope } from './support/assessment-app.ts';
import { toeInput } from './support/api.ts';

const samples = path.resolve(import.meta.dirname, '../../../fixtures/tool-outputs');
const mlflowRun = readFileSync(path.join(samples, 'mlflow-run/run_raw.json'));

/** The sample MLflow run with its r2 replaced, as a degraded (or fixed) later run would report it. */
function mlflowRunWithR2(r2: number): Buffer {
  const run = JSON.parse(mlflowRun.toString('utf8'));
  run.run.data.metrics = run.run.data.metrics.map((metric: { key: string }) =>
    metric.key === 'r2' ? { ...metric, value: r2 } : metric,
  );
  return Buffer.from(JSON.stringify(run));
}

describe('assessment engine: rules from the approved scope, scheduled re-evaluation, manual findings, catalog, dry run', () => {
  let database: TestDatabase;
  let prefix: string;
  let service: RunningService & { reconcileNow: () => Promise<number> };
  let clock = Date.now();
  let collectorKey: SigningKey;
  let issuerKey: SigningKey;
  let toeId: string;
  const tokenFor = (role: Role) =>
    mintToken({
      issuer: 'cabc-local',
      audience: 'cabc-assessment',
      subject: `${role}-1`,
      org: 'acme',
      role,
      ttlSeconds: 3600,
      key: issuerKey,
    });

  const api = async (method: string, url: string, role: Role, body?: unknown) => {
    const response = await fetch(`${service.url}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${await tokenFor(role)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  /** Turns a native MLflow output into signed evidence (as the collector does) and posts it. */
  const pushMlflowRun = async (bytes: Buffer) => {
    const [adapted] = adapt({ bytes, filename: 'run.json' }).evidence.filter((item) => item.kind === 'performance');
    const statement = {
      _type: IN_TOTO_STATEMENT_TYPE,
      subject: [{ name: 'model.onnx', digest: { sha256: 'b'.repeat(64) } }],
      predicateType: EVIDENCE_PREDICATE_TYPE,
      predicate: {
        ...adapted!,
        subjects: undefined,
        toe: toeId,
        observedAt: new Date(clock).toISOString(),
        submitter: { org: 'acme', subject: 'pipeline-1', role: 'pipeline' },
      },
    };
    delete (statement.predicate as { subjects?: unknown }).subjects;
    const response = await fetch(`${service.url}/v1/evidence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: signedEnvelope(statement, collectorKey),
    });
    expect(response.status, await response.clone().text()).toBe(201);
  };

  const posture = async () => (await api('GET', `/v1/toes/${toeId}/posture`, 'auditor')).body;
  const waitForPosture = (expected: string) =>
    waitFor(`posture ${expected}`, async () => {
      const current = await posture();
      return current.posture === expected ? current : undefined;
    });

  beforeAll(async () => {
    database = await createTestDatabase('assessment');
    prefix = testQueuePrefix('assessment-engine');
    collectorKey = await generateSigningKey();
    issuerKey = await generateSigningKey();
    const config = loadAssessmentConfig(
      assessmentEnv(database.url, prefix, issuerKey, { PORT: '0', RECONCILE_INTERVAL: '1h' }),
    );
    service = await startAssessment(config, { now: () => new Date(clock) });

    toeId = (await api('POST', '/v1/toes', 'auditee', toeInput('regression-model'))).body.id;
    const fromCatalog = await api('POST', '/v1/catalog/templates/PERF-MIN-METRIC/requirement', 'auditee', {
      requirementId: 'REQ-R2',
      parameters: { metric: 'r2', minimum: 0.25 },
    });
    expect(fromCatalog.status, JSON.stringify(fromCatalog.body)).toBe(200);
    const document = {
      requirements: [{ ...fromCatalog.body.requirement, freshness: 'PT1H' }],
      collectorKeys: [collectorKey.publicJwk],
    };
    expect((await api('POST', `/v1/toes/${toeId}/scopes`, 'auditee', { document })).status).toBe(201);
    await api('POST', `/v1/toes/${toeId}/scopes/1/submit`, 'auditee');
    expect((await api('POST', `/v1/toes/${toeId}/scopes/1/approve`, 'auditor', {})).status).toBe(200);
  });
  afterAll(async () => {
    await service?.close();
    await deleteRedisPrefix(prefix);
    await database?.drop();
  });

  it('drives the sample MLflow run through compliant → non_compliant → compliant, keeping every result', async () => {
    await pushMlflowRun(mlflowRun); // r2 = 0.281 ≥ 0.25
    const compliant = await waitForPosture('compliant');
    expect(compliant.requirements[0].details[0]).toMatchObject({
      property: 'r2',
      value: 0.28100217442439346,
      operator: '>=',
      target: 0.25,
      success: true,
    });

    clock += 60_000;
    await pushMlflowRun(mlflowRunWithR2(0.12));
    const degraded = await waitForPosture('non_compliant');
    expect(degraded.requirements[0].reason).toMatch(/0\.12/);

    clock += 60_000;
    await pushMlflowRun(mlflowRunWithR2(0.3));
    await waitForPosture('compliant');

    const db = createDatabase<any>(database.url, { max: 1 });
    const history = await sql<{
      status: string;
    }>`select status from requirement_results where toe = ${toeId} order by id`.execute(db);
    await db.destroy();
    // The approval evaluated the ToE before any evidence: pending first.
    expect(history.rows.map((row) => row.status)).toEqual(['pending', 'compliant', 'non_compliant', 'compliant']);
  });

  it('turns the requirement non-compliant on schedule when its evidence grows stale, with no new evidence', async () => {
    await waitForPosture('compliant');
    clock += 2 * 3_600_000; // past the 1 h freshness window
    await service.reconcileNow(); // the scheduler's tick: due ToEs go to the evaluation queue
    const stale = await waitForPosture('non_compliant');
    expect(stale.requirements[0].reason).toMatch(/freshness window/);
  });

  it('lets a manual finding override the automated result inside its window only', async () => {
    const recorded = await api('POST', `/v1/toes/${toeId}/findings`, 'auditor', {
      requirementId: 'REQ-R2',
      status: 'compliant',
      justification: 'Retraining is scheduled; the last measured value was compliant.',
      validUntil: new Date(clock + 30 * 60_000).toISOString(),
    });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    const overridden = await waitForPosture('compliant');
    expect(overridden.requirements[0].reason).toMatch(/manual finding by auditor-1/);
    expect(overridden.requirements[0].details[0]).toMatchObject({
      property: 'manual_finding',
      target: 'non_compliant',
    });
    expect(
      (
        await api('POST', `/v1/toes/${toeId}/findings`, 'auditee', {
          requirementId: 'REQ-R2',
          status: 'compliant',
          justification: 'I say so, honestly.',
          validUntil: new Date(clock + 60_000).toISOString(),
        })
      ).status,
    ).toBe(403);

    clock += 31 * 60_000; // the finding has expired
    await service.reconcileNow();
    await waitForPosture('non_compliant');
  });

  it('dry-runs a draft version against the stored history without storing anything', async () => {
    const draft = await api('POST', `/v1/toes/${toeId}/scopes`, 'auditee', {});
    expect(draft.status).toBe(201);
    const stricter = {
      ...draft.body.document,
      requirements: [
        {
          ...draft.body.document.requirements[0],
          freshness: undefined,
          rule: { ...draft.body.document.requirements[0].rule, target: 0.29 },
        },
      ],
    };
    await api('PUT', `/v1/toes/${toeId}/scopes/2`, 'auditee', { document: stricter });
    const db = createDatabase<any>(database.url, { max: 1 });
    const count = async () =>
      Number((await sql<{ n: number }>`select count(*) as n from requirement_results`.execute(db)).rows[0]!.n);
    try {
      const before = await count();
      // The dry run is a job of the dry-run worker: 202 with where to poll, then the result there.
      const started = await api('POST', `/v1/toes/${toeId}/scopes/2/dry-run`, 'auditor');
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const job = await waitFor('the dry run done', async () => {
        const polled = await api('GET', started.body.location, 'auditor');
        return polled.status === 200 ? polled.body : undefined;
      });
      expect(job.state, job.error).toBe('completed');
      const dryRun = { body: job.result };
      expect(dryRun.body.timeline.map((step: { posture: string }) => step.posture)).toEqual([
        'non_compliant',
        'non_compliant',
        'compliant',
      ]);
      expect(dryRun.body.posture).toBe('compliant');
      expect(dryRun.body.evidenceConsidered).toBe(3);
      expect(await count()).toBe(before);
    } finally {
      await db.destroy();
    }
  });

  it('offers a catalog mapped to the EU AI Act articles 9–15, ISO/IEC 25059 and AIC4, refusing bad parameters', async () => {
    const catalog = (await api('GET', '/v1/catalog', 'auditee')).body;
    const articles = new Set(
      catalog.templates.flatMap((template: { controls: { euAiAct: string[] } }) =>
        template.controls.euAiAct.map((article) => article.replace(/\(.*$/, '')),
      ),
    );
    for (const article of ['Art.9', 'Art.10', 'Art.11', 'Art.12', 'Art.13', 'Art.14', 'Art.15'])
      expect(articles).toContain(article);
    const areas = new Set(catalog.templates.map((template: { area: string }) => template.area));
    for (const area of [
      'performance',
      'robustness',
      'bias',
      'data_quality',
      'drift',
      'documentation',
      'explainability',
      'provenance',
      'freshness',
    ])
      expect(areas).toContain(area);
    const bad = await api('POST', '/v1/catalog/templates/PERF-MIN-METRIC/requirement', 'auditee', {
      parameters: { minimum: 'high' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toContain('requirements.0.rule.target');
    expect(
      (
        await api('POST', '/v1/catalog/templates/PERF-MIN-METRIC/requirement', 'auditee', {
          parameters: { colour: 'red' },
        })
      ).body.errors[0].field,
    ).toBe('parameters.colour');
  });
});
