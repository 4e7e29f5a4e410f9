import { sql } from 'kysely';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTURE_CALLBACK_TYP, postureCallbackClaimsSchema } from '@cabc/contracts';
import { createPostureHeartbeat } from '../src/modules/callbacks/posture-heartbeat.ts';
import { createHeartbeatRepository } from '../src/modules/callbacks/posture-heartbeat.repository.ts';
import { createSendTimeSigner } from '../src/modules/callbacks/send-time-signing.ts';
import {
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from './support/assessment-app.ts';

const INTERVAL = 60_000;

describe('posture heartbeat: every certified posture re-stated to the certification body, signed', () => {
  let fixture: AssessmentFixture;
  let clock = Date.now();
  let heartbeat: ReturnType<typeof createPostureHeartbeat>;
  const kicked: number[] = [];
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    const { repositories, inForce, ledger } = fixture.assessment;
    heartbeat = createPostureHeartbeat({
      heartbeats: createHeartbeatRepository(fixture.infra.db),
      evaluations: repositories.evaluations,
      inForce,
      outbox: repositories.outbox,
      producer: { kick: async (ids) => void kicked.push(...ids), close: async () => {} },
      target: { issuer: 'cabc-assessment', audience: 'certification-body', certificationBodyUrl: 'http://cb.test' },
      checkpoint: async () => (await ledger.service.checkpoint()).checkpoint,
      intervalMs: INTERVAL,
      now: () => new Date(clock),
    });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const callbacksOf = async (toe: string) =>
    (
      await sql<{ id: number; status: string }>`
        select id, status from outbox where ordering_key = ${toe} order by id`.execute(fixture.infra.db)
    ).rows;

  it('re-states an unchanged posture after the interval, not while a message of the ToE is pending', async () => {
    const toe = 'credit-scoring';
    const accepted = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { 'content-type': 'application/json' },
      payload: signedEnvelope(evidenceStatement({ toe }), fixture.collectorKey),
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(await fixture.assessment.services.evaluation.evaluate({ toe })).toMatchObject({
      posture: 'compliant',
      changed: true,
    });
    const [change] = await callbacksOf(toe);
    expect(await heartbeat.runOnce()).toBe(0); // just stated by the change itself

    clock += INTERVAL + 1_000;
    // The change is still waiting for the certification body: it is signed fresh when sent, no heartbeat needed
    // (the next one is due an interval later).
    expect(await heartbeat.runOnce()).toBe(0);
    await fixture.assessment.repositories.outbox.markDelivered(change!.id, { status: 200, body: '{}' });
    clock += INTERVAL + 1_000;
    expect(await heartbeat.runOnce()).toBe(1);
    expect(await heartbeat.runOnce()).toBe(0); // stated now

    const rows = await callbacksOf(toe);
    expect(rows).toHaveLength(2);
    expect(kicked).toEqual([rows[1]!.id]);
    const sign = createSendTimeSigner({ keys: fixture.infra.keys });
    const jwks = createLocalJWKSet((await fixture.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json());
    const claimsOf = async (id: number) => {
      const { payload, protectedHeader } = await jwtVerify(
        (await sign((await fixture.assessment.repositories.outbox.find(id))!)).body,
        jwks,
        { audience: 'certification-body', issuer: 'cabc-assessment' },
      );
      expect(protectedHeader.typ).toBe(POSTURE_CALLBACK_TYP);
      return postureCallbackClaimsSchema.parse(payload);
    };
    const changed = await claimsOf(change!.id);
    const restated = await claimsOf(rows[1]!.id);
    expect(restated).toMatchObject({
      type: 'posture.restated',
      toe,
      posture: 'compliant',
      previousPosture: 'compliant',
      // The sequence of the posture it re-states: the certification body orders it with the changes.
      sequence: changed.sequence,
      assessmentId: changed.assessmentId,
      scopeVersion: changed.scopeVersion,
      criticalFailed: false,
      assessedAt: new Date(clock).toISOString(),
      changes: [],
    });
    expect(restated.jti).not.toBe(changed.jti);
    expect(restated.ledgerCheckpoint!.size).toBeGreaterThanOrEqual(1);
  });

  it('re-states nothing for a ToE without a posture', async () => {
    clock += 10 * INTERVAL;
    await heartbeat.runOnce();
    expect(await callbacksOf('toe-lookup')).toEqual([]);
  });
});
