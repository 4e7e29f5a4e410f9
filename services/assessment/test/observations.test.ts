import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from '@cabc/anomaly';
import { EVIDENCE_PREDICATE_TYPE, IN_TOTO_STATEMENT_TYPE } from '@cabc/contracts';
import { anomalyObservationUuid } from '@cabc/oscal';
import { nistSchemaErrors } from '@cabc/oscal/validation';
import { expectProblem, gamedStream, type UnifiedEvidence } from '@cabc/testing';
import { createAnomalyStates } from '../src/modules/observations/anomaly-states.ts';
import { anomalyScopeOf } from '../src/modules/observations/anomaly-scope.ts';
import { startAssessmentApp, signedEnvelope, type AssessmentFixture } from './support/assessment-app.ts';
import { call, toeInput } from './support/api.ts';
import { accuracyScope } from './support/seed.ts';

const DAY = 86_400_000;

describe('observations: anomaly and gaming signals for the auditor, confirmed into findings or dismissed', () => {
  let fixture: AssessmentFixture;
  let auditee: string;
  let auditor: string;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    auditee = await fixture.token('auditee');
    auditor = await fixture.token('auditor');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const api = (method: string, url: string, token: string | undefined, body?: unknown) =>
    call(fixture.app, method, url, token, body);
  const inject = (method: 'GET' | 'POST', url: string, token: string, body?: unknown) =>
    fixture.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });

  /** A ToE whose approved scope opts REQ-ACCURACY in to "an open anomaly of score ≥ 0.6 counts as pending". */
  async function approvedToe(name: string): Promise<string> {
    const toe = await api('POST', '/v1/toes', auditee, toeInput(name));
    const document = accuracyScope([fixture.collectorKey]);
    document.requirements[0]!.anomalies = { pendingAtScore: 0.6 };
    const drafted = await api('POST', `/v1/toes/${toe.body.id}/scopes`, auditee, { document });
    expect(drafted.status, JSON.stringify(drafted.body)).toBe(201);
    await api('POST', `/v1/toes/${toe.body.id}/scopes/1/submit`, auditee);
    const approved = await api('POST', `/v1/toes/${toe.body.id}/scopes/1/approve`, auditor, { comment: 'Fine.' });
    expect(approved.status).toBe(200);
    return toe.body.id as string;
  }

  /** Signs each item as the collector would and posts it; answers the evidence ids in order. */
  async function push(items: readonly UnifiedEvidence[]): Promise<string[]> {
    const ids: string[] = [];
    for (const { subject, ...predicate } of items) {
      const statement = {
        _type: IN_TOTO_STATEMENT_TYPE,
        subject,
        predicateType: EVIDENCE_PREDICATE_TYPE,
        predicate: { ...predicate, checks: [], submitter: { org: 'acme', subject: 'pipeline-1', role: 'pipeline' } },
      };
      const accepted = await fixture.app.inject({
        method: 'POST',
        url: '/v1/evidence',
        headers: { 'content-type': 'application/json' },
        payload: signedEnvelope(statement, fixture.collectorKey),
      });
      expect(accepted.statusCode, accepted.body).toBe(201);
      ids.push(accepted.json().evidenceId as string);
    }
    return ids;
  }

  /** A ToE fed a gamed stream and evaluated once: its copied run's observation. */
  async function gamedToe(name: string, seed: number) {
    const toeId = await approvedToe(name);
    const stream = gamedStream(toeId, { seed, model: 'b'.repeat(64), end: new Date(Date.now() - 60_000) });
    const ids = await push(stream.items);
    await fixture.assessment.services.evaluation.evaluate({ toe: toeId });
    const listed = await api('GET', `/v1/toes/${toeId}/observations`, auditor);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const observation = listed.body.items.find((item: { signal: string }) => item.signal === 'repeated_measurements');
    return { toeId, ids, observation, stream };
  }

  const auditTrail = async (toeId: string) =>
    (await api('GET', `/v1/audit-events?toe=${toeId}&limit=200`, auditor)).body.items as {
      action: string;
      entity: string;
      comment: string | null;
    }[];
  const postureOf = async (toeId: string) => (await api('GET', `/v1/toes/${toeId}/posture`, auditor)).body;

  let first: Awaited<ReturnType<typeof gamedToe>>;
  beforeAll(async () => {
    first = await gamedToe('gamed-one', 19);
  });

  it('raises an observation for metrics copied from another run while the data drifted; it gates only the opted-in requirement', async () => {
    const { observation, ids } = first;
    const copied = ids.at(-1)!;
    const original = ids[2 * 7 + 1]!;
    expect(observation).toMatchObject({ state: 'open', kind: 'performance', scopeVersion: 1, findingId: null });
    expect(observation.score).toBeGreaterThanOrEqual(0.5);
    expect(observation.evidenceIds.slice(0, 2)).toEqual([copied, original]);
    // The run's own drift report is named as the evidence that the data changed.
    expect(observation.evidenceIds).toContain(ids.at(-2));
    expect(observation.explanation).toMatch(/exactly those of evidence/);
    expect(observation.explanation).toMatch(/data changed/);

    // The auditee of the organization reads it too; another organization cannot tell the ToE exists.
    const byAuditee = await api('GET', `/v1/toes/${first.toeId}/observations?state=open`, auditee);
    expect(byAuditee.body.items.map((item: { id: string }) => item.id)).toContain(observation.id);
    const foreign = await api('GET', `/v1/toes/${first.toeId}/observations`, await fixture.token('auditor', 'globex'));
    expect(foreign.status).toBe(404);

    // Accuracy 0.93 passes the threshold, but the requirement opted in: the open observation keeps it pending.
    const requirement = (await postureOf(first.toeId)).requirements[0];
    expect(requirement.status).toBe('pending');
    expect(requirement.reason).toContain(observation.id);
  });

  it('refuses bad input with problem+json naming the field, and stores nothing', async () => {
    const base = `/v1/toes/${first.toeId}/observations/${first.observation.id}`;
    const before = await auditTrail(first.toeId);
    expectProblem(
      await inject('POST', `${base}/confirm`, auditor, { requirementId: 'REQ-ACCURACY', validUntil: 'tomorrow' }),
      400,
      'validUntil',
    );
    expectProblem(
      await inject('POST', `${base}/confirm`, auditor, { validUntil: new Date().toISOString() }),
      400,
      'requirementId',
    );
    expectProblem(
      await inject('POST', `${base}/confirm`, auditor, {
        requirementId: 'REQ-ACCURACY',
        status: 'compliant',
        validUntil: new Date(Date.now() + DAY).toISOString(),
      }),
      400,
      'status',
    );
    expectProblem(await inject('POST', `${base}/dismiss`, auditor, {}), 400, 'reason');
    expectProblem(await inject('POST', `${base}/dismiss`, auditor, { reason: '   ok   ' }), 400, 'reason');
    expectProblem(
      await inject('POST', `/v1/toes/${first.toeId}/observations/not-a-uuid/dismiss`, auditor, {
        reason: 'x'.repeat(20),
      }),
      400,
      'path:observationId',
    );
    expectProblem(
      await inject('GET', `/v1/toes/${first.toeId}/observations?state=closed`, auditor),
      400,
      'query:state',
    );
    // A requirement outside the scope in force: the findings service refuses it, and the observation stays open.
    expectProblem(
      await inject('POST', `${base}/confirm`, auditor, {
        requirementId: 'REQ-NONE',
        validUntil: new Date(Date.now() + DAY).toISOString(),
      }),
      422,
      'requirementId',
    );
    expectProblem(
      await inject('POST', `${base}/confirm`, auditor, {
        requirementId: 'REQ-ACCURACY',
        validUntil: new Date(Date.now() + 400 * DAY).toISOString(),
      }),
      422,
      'validUntil',
    );
    // The scope's opt-in is validated with the rest of the document.
    for (const [anomalies, field] of [
      [{ pendingAtScore: 0.3 }, 'requirements.0.anomalies.pendingAtScore'],
      [{ pendingAtScore: 0.8, signals: ['gut_feeling'] }, 'requirements.0.anomalies.signals.0'],
      [{ pendingAtScore: 0.8, extra: true }, 'requirements.0.anomalies'],
    ] as const) {
      const document = accuracyScope([fixture.collectorKey]);
      (document.requirements[0] as Record<string, unknown>).anomalies = anomalies;
      expectProblem(await inject('POST', `/v1/toes/${first.toeId}/scopes`, auditee, { document }), 422, field);
    }
    const listed = await api('GET', `/v1/toes/${first.toeId}/observations`, auditor);
    expect(listed.body.items.find((item: { id: string }) => item.id === first.observation.id).state).toBe('open');
    expect(await auditTrail(first.toeId)).toEqual(before);
    expect((await api('GET', `/v1/toes/${first.toeId}/findings`, auditor)).body.items).toEqual([]);
  });

  it('lets only the auditor of the organization decide', async () => {
    const base = `/v1/toes/${first.toeId}/observations/${first.observation.id}`;
    const confirm = { requirementId: 'REQ-ACCURACY', validUntil: new Date(Date.now() + DAY).toISOString() };
    expectProblem(await inject('POST', `${base}/confirm`, auditee, confirm), 403);
    expectProblem(await inject('POST', `${base}/dismiss`, auditee, { reason: 'looks fine to the auditee' }), 403);
    const stranger = await fixture.token('auditor', 'globex');
    expectProblem(await inject('POST', `${base}/confirm`, stranger, confirm), 404, 'path:toeId');
    expectProblem(
      await inject('POST', `/v1/toes/${first.toeId}/observations/${crypto.randomUUID()}/confirm`, auditor, confirm),
      404,
      'path:observationId',
    );
  });

  it('confirms an observation into a manual finding that decides the requirement like any manual finding', async () => {
    const base = `/v1/toes/${first.toeId}/observations/${first.observation.id}`;
    const validUntil = new Date(Date.now() + 30 * DAY).toISOString();
    const confirmed = await api('POST', `${base}/confirm`, auditor, {
      requirementId: 'REQ-ACCURACY',
      validUntil,
      comment: 'Run 13 reused the numbers of run 7 on drifted data.',
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body).toMatchObject({ state: 'confirmed', decidedBy: 'auditor-1' });
    const findings = (await api('GET', `/v1/toes/${first.toeId}/findings`, auditor)).body.items;
    expect(findings).toEqual([
      expect.objectContaining({
        id: confirmed.body.findingId,
        requirementId: 'REQ-ACCURACY',
        status: 'non_compliant',
        validUntil,
      }),
    ]);
    expect(findings[0].justification).toContain(first.observation.id);

    await fixture.assessment.services.evaluation.evaluate({ toe: first.toeId });
    const posture = await postureOf(first.toeId);
    expect(posture.posture).toBe('non_compliant');
    expect(posture.requirements[0].reason).toMatch(/^manual finding by auditor-1/);

    const trail = await auditTrail(first.toeId);
    expect(trail.map((event) => event.action).slice(-2)).toEqual(['finding.recorded', 'observation.confirmed']);
    expect(trail.at(-1)!.entity).toBe(`observation:${first.observation.id}`);
    // Shown where the auditor looks: the audit report (its chart ringing the points) and the OSCAL results.
    const report = await api('GET', `/v1/toes/${first.toeId}/reports/audit?format=html`, auditor);
    expect(report.status).toBe(200);
    expect(report.body).toContain('Anomaly observations (1)');
    expect(report.body).toContain(`id="obs-${first.observation.id}"`);
    expect(report.body).toMatch(/confirmed<br><span class="muted">by auditor-1/);
    expect(report.body).toContain('class="observed"');
    const oscal = await api('GET', `/v1/toes/${first.toeId}/reports/oscal-ar`, auditor);
    expect(oscal.status).toBe(200);
    expect(nistSchemaErrors('assessment-results', oscal.body)).toEqual([]);
    const exported = oscal.body['assessment-results'].results[0].observations.find(
      (entry: { uuid: string }) => entry.uuid === anomalyObservationUuid(first.observation.id),
    );
    expect(exported.props).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'anomaly-signal', value: 'repeated_measurements' })]),
    );
    expect(exported.remarks).toMatch(/^Confirmed by auditor-1/);
    // The OSCAL bundle reads them too (each lands in the evaluation window it was raised in).
    const toe = (await fixture.assessment.repositories.toes.find(first.toeId))!;
    const bundle = await fixture.assessment.reporting.bundles.input(
      toe,
      {},
      { org: 'acme' },
      new Date(),
      'http://a',
    );
    expect(bundle.input.observations?.map((item) => item.id)).toContain(first.observation.id);

    // Decided once: a second decision is a conflict.
    expectProblem(await inject('POST', `${base}/dismiss`, auditor, { reason: 'changed my mind after all' }), 409);
  });

  it('dismisses an observation with its reason; the gated requirement is judged by its rule again', async () => {
    const second = await gamedToe('gamed-two', 23);
    expect((await postureOf(second.toeId)).requirements[0].status).toBe('pending');
    const dismissed = await api(
      'POST',
      `/v1/toes/${second.toeId}/observations/${second.observation.id}/dismiss`,
      auditor,
      {
        reason: 'The test set was re-used on purpose: a documented re-run.',
      },
    );
    expect(dismissed.status, JSON.stringify(dismissed.body)).toBe(200);
    expect(dismissed.body).toMatchObject({
      state: 'dismissed',
      decisionReason: 'The test set was re-used on purpose: a documented re-run.',
      findingId: null,
    });
    const trail = await auditTrail(second.toeId);
    expect(trail.at(-1)).toMatchObject({
      action: 'observation.dismissed',
      entity: `observation:${second.observation.id}`,
    });
    expect(trail.at(-1)!.comment).toContain('documented re-run');
    await fixture.assessment.services.evaluation.evaluate({ toe: second.toeId });
    expect((await postureOf(second.toeId)).requirements[0].status).toBe('compliant');
  });

  it('keeps the detector state across restarts: snapshots plus replay equal one uninterrupted pass', async () => {
    const toeId = await approvedToe('restarted');
    const { items } = gamedStream(toeId, { seed: 29, model: 'b'.repeat(64), end: new Date(Date.now() - 60_000) });
    const repository = fixture.assessment.repositories.observations;
    const evaluations = fixture.assessment.repositories.evaluations;
    const inForce = (await fixture.assessment.inForce.of(toeId))!;
    const scope = anomalyScopeOf(inForce, inForce.scope.document.artifacts!, []);
    // A worker of its own, snapshotting every 5 evidence; "restarted" (its memory forgotten) after some evaluations.
    const states = createAnomalyStates(repository, { snapshotEvery: 5, cacheSize: 4 });
    const raised = new Set<string>();
    let state: unknown;
    let pushed = 0;
    for (const [index, cut] of [3, 9, 10, 17, 23, items.length].entries()) {
      await push(items.slice(pushed, cut));
      pushed = cut;
      const advanced = await evaluations.transaction((trx) => states.advance(toeId, [], scope, trx));
      for (const observation of advanced.observations)
        raised.add(`${observation.signal}:${observation.evidenceIds[0]}`);
      state = JSON.parse(JSON.stringify(advanced.state));
      if (index % 2 === 0) states.clear();
    }
    const history = await evaluations.transaction((trx) => repository.evidenceSince(toeId, 0, [], trx));
    expect(history).toHaveLength(items.length);
    const uninterrupted = replay(history.map((item) => ({ evidence: item.evidence, scope })));
    expect(state).toEqual(JSON.parse(JSON.stringify(uninterrupted.state)));
    expect([...raised].sort()).toEqual(
      uninterrupted.observations.map((observation) => `${observation.signal}:${observation.evidenceIds[0]}`).sort(),
    );
    expect(raised.has(`repeated_measurements:${history.at(-1)!.evidence.id}`)).toBe(true);
  });
});
