import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@cabc/testing';
import { certifyToe, type CertifiedToe } from '../src/index.ts';
import {
  getJson,
  performanceEvidence,
  postJson,
  queryDatabase as query,
  startTestPlatform,
} from './platform-fixture.ts';

describe("the certification body cross-checks the auditor's ledger with every posture callback", () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  beforeAll(async () => {
    platform = await startTestPlatform({ env: { collector: { LEDGER_WATCH_INTERVAL: '0' } } });
  });
  afterAll(async () => {
    await platform?.dispose();
  });

  const push = async (toe: CertifiedToe, accuracy: number) =>
    expect(
      (
        await postJson(`${platform.urls.collector}/v1/evidence`, performanceEvidence(toe.toeId, accuracy), {
          authorization: `Bearer ${toe.tokens.pipeline}`,
        })
      ).status,
    ).toBe(201);
  const certificateState = async (toe: CertifiedToe) =>
    (
      (
        await getJson(
          `${platform.urls.certificationBody}/v1/certificates?toe=${toe.toeId}`,
          toe.tokens.auditeeAtCertificationBody,
        )
      ).body.items as { state: string }[]
    )[0]?.state;
  const heldCheckpoints = () =>
    query<{ size: string; consistency: { size: number; proof: string[] }[] }>(
      platform.databaseUrls.certificationBody,
      'select size, consistency from auditor_checkpoints order by size',
    );

  it('keeps each verified checkpoint with the consistency proof that links it to the one held before', async () => {
    const toe = await certifyToe(platform, { org: 'acme', name: 'ledger-honest' });
    await push(toe, 0.95);
    await waitFor('issued', async () => ((await certificateState(toe)) === 'issued' ? true : undefined));
    await push(toe, 0.71);
    await waitFor('revoked', async () => ((await certificateState(toe)) === 'revoked' ? true : undefined));
    const held = await heldCheckpoints();
    expect(held.map((row) => Number(row.size))).toEqual([0, 1, 2]); // 0: the pending posture at approval
    expect(held[2]!.consistency).toEqual([{ size: 1, rootHash: expect.any(String), proof: [expect.any(String)] }]);
  });

  it('refuses, and alerts on, a callback whose checkpoint shows the history was rewritten in the assessment database', async () => {
    // A superuser rewrites history behind the assessment service: every tree node covering leaf 0 changed.
    const assessment = platform.databaseUrls.assessment;
    await query(assessment, 'alter table ledger_nodes disable trigger ledger_nodes_append_only');
    await query(assessment, 'update ledger_nodes set hash = $1 where idx = 0', [Buffer.alloc(32, 9)]);
    await query(assessment, 'alter table ledger_nodes enable trigger ledger_nodes_append_only');

    const toe = await certifyToe(platform, { org: 'acme', name: 'ledger-rewritten' });
    await push(toe, 0.95);
    const operator = await platform.token('certification_body', 'acme', { service: 'certification-body' });
    const [alert] = await waitFor('a ledger alert', async () => {
      const items = (await getJson(`${platform.urls.certificationBody}/v1/ledger-alerts`, operator)).body.items;
      return items.length > 0 ? items : undefined;
    });
    expect(alert).toMatchObject({ kind: 'inconsistent', checkpointSize: 3, toe: toe.toeId });
    expect(alert.detail).toMatch(/not consistent with the one of size 2 held before.*history was rewritten/);
    // Refused, so nothing was decided on it (no certificate), and visible to the ToE's organization.
    const received = (
      await getJson(`${platform.urls.certificationBody}/v1/received-callbacks?toe=${toe.toeId}&kind=posture`, operator)
    ).body.items;
    // (The pending posture at approval carried a checkpoint of size 2, the one held: accepted.)
    expect(received.map((item: { outcome: string }) => item.outcome)).toEqual(['refused', 'no_change']);
    expect(received[0].detail).toMatch(/history was rewritten/);
    expect(await certificateState(toe)).toBeUndefined();
    expect((await heldCheckpoints()).map((row) => Number(row.size))).toEqual([0, 1, 2]);
    // A refusal the auditor's outbox does not retry (422): retrying cannot make the history consistent.
    await waitFor('the callback rejected at the auditor', async () => {
      const [last] = await query<{ status: string; response_status: number }>(
        assessment,
        `select status, response_status from outbox where ordering_key = $1 order by id desc limit 1`,
        [toe.toeId],
      );
      return last?.status === 'rejected' && last.response_status === 422 ? true : undefined;
    });
  });
});
