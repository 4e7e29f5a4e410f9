import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDecisionPolicy, REASON_CODES } from '../src/domain/index.ts';
import {
  postCallback,
  postureClaims,
  signedCallback,
  startCertificationApp,
  testClock,
  type CertificationFixture,
} from './support/certification-app.ts';
import { auditor, certificateOf } from './support/scenario.ts';

const HOUR = 3_600_000;

describe('assessment silent: no posture statement within the policy window suspends, the next one reinstates', () => {
  const clock = testClock();
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp({
      now: clock.now,
      policy: parseDecisionPolicy({ assessmentSilentAfterMs: 3 * HOUR }),
    });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const restate = async (
    toe: string,
    sequence: number,
    posture: 'compliant' | 'non_compliant' = 'compliant',
    signedAgoMs = 0,
  ) => {
    const claims = postureClaims({
      toe,
      sequence,
      posture,
      type: 'posture.restated',
      previousPosture: posture,
      iat: Math.floor((Date.now() - signedAgoMs) / 1000),
    });
    const response = await postCallback(fixture.app, 'assessment', await signedCallback(claims, fixture.auditorKey));
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { outcome: string; state: string };
  };

  it('keeps an issued certificate while re-statements arrive, suspends it when they stop, reinstates on the next', async () => {
    const toe = 'toe-silent';
    const drive = auditor(fixture);
    await drive.approve(toe);
    const { certificateId } = await drive.posture(toe, 'compliant'); // sequence 1
    clock.advance(2 * HOUR);
    // A re-statement of the applied posture (same sequence) counts as hearing from the assessment.
    expect(await restate(toe, 1)).toMatchObject({ outcome: 'no_change', state: 'issued' });
    clock.advance(2 * HOUR);
    expect(await fixture.runDeadlines()).toBe(0);
    expect((await certificateOf(fixture, certificateId!)).state).toBe('issued');

    clock.advance(HOUR + 1_000);
    expect(await fixture.runDeadlines()).toBe(1);
    const suspended = await certificateOf(fixture, certificateId!);
    expect(suspended).toMatchObject({ state: 'suspended', reasonCode: REASON_CODES.assessment_silent });
    expect(suspended.reason).toBe('assessment_silent');
    const status = (await fixture.app.inject({ method: 'GET', url: `/v1/status/${certificateId}` })).json();
    expect(status).toMatchObject({ status: 'suspended', reason: 'assessment_silent', reasonCode: 11 });

    expect(await restate(toe, 1)).toMatchObject({ outcome: 'applied', state: 'issued' });
    const back = await certificateOf(fixture, certificateId!);
    expect(back.history.map((entry) => `${entry.from}->${entry.to}:${entry.reasonCode}`)).toEqual([
      'none->issued:1',
      'issued->suspended:11',
      'suspended->issued:1',
    ]);
  });

  it('ignores a re-statement older than the applied posture, so a late heartbeat cannot undo a change', async () => {
    const toe = 'toe-late-heartbeat';
    const drive = auditor(fixture);
    await drive.approve(toe);
    const { certificateId } = await drive.posture(toe, 'compliant'); // sequence 1
    expect(await drive.posture(toe, 'non_compliant')).toMatchObject({ state: 'suspended' }); // sequence 2
    expect(await restate(toe, 1)).toMatchObject({ outcome: 'stale', state: 'suspended' });
    expect((await certificateOf(fixture, certificateId!)).state).toBe('suspended');
  });

  it('does not count a re-statement signed long ago (held back and replayed by a man in the middle) as hearing from the assessment', async () => {
    const toe = 'toe-replayed-heartbeat';
    const drive = auditor(fixture);
    await drive.approve(toe);
    const { certificateId } = await drive.posture(toe, 'compliant'); // sequence 1
    clock.advance(3 * HOUR + 1_000);
    await fixture.runDeadlines();
    expect((await certificateOf(fixture, certificateId!)).state).toBe('suspended');
    // Genuine and within CALLBACK_MAX_AGE, but signed 4 hours ago: the assessment was not heard from since then.
    expect(await restate(toe, 1, 'compliant', 4 * HOUR)).toMatchObject({ state: 'suspended' });
    await fixture.runDeadlines();
    expect((await certificateOf(fixture, certificateId!)).state).toBe('suspended');
    // A fresh one reinstates.
    expect(await restate(toe, 1)).toMatchObject({ outcome: 'applied', state: 'issued' });
  });
});
