import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import { formatVerifierKey, signCheckpoint } from '@cabc/ledger';
import { expectProblem } from '@cabc/testing';
import {
  bearer,
  postCallback,
  postureClaims,
  signedCallback,
  startCertificationApp,
  type CertificationFixture,
} from './support/certification-app.ts';
import { auditor } from './support/scenario.ts';

const ORIGIN = 'cabc-assessment/ledger';

describe("posture callbacks are cross-checked with the auditor's ledger", () => {
  let fixture: CertificationFixture;
  let noteKey: SigningKey;
  beforeAll(async () => {
    noteKey = await generateSigningKey();
    fixture = await startCertificationApp({
      env: {
        // Nothing listens there: a consistency proof cannot be had (503), key and forks are checked locally.
        AUDITOR_LEDGER_URL: 'http://127.0.0.1:1',
        AUDITOR_LEDGER_VERIFIER_KEY: formatVerifierKey(ORIGIN, noteKey.publicKey),
      },
    });
    await auditor(fixture).approve('credit-scoring');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  let sequence = 0;
  const checkpointOf = (size: number, fill: number, key = noteKey) => {
    const rootHash = Buffer.alloc(32, fill);
    const note = signCheckpoint({ origin: ORIGIN, size, rootHash }, { name: ORIGIN, privateKey: key.privateKey });
    return { size, rootHash: rootHash.toString('base64'), note };
  };
  const send = async (
    ledgerCheckpoint: ReturnType<typeof checkpointOf> | null,
    posture: 'compliant' | 'non_compliant' | 'error' = 'compliant',
  ) => {
    sequence += 1;
    const claims = postureClaims({ sequence, ledgerCheckpoint, posture });
    return postCallback(fixture.app, 'assessment', await signedCallback(claims, fixture.auditorKey));
  };
  const alerts = async () =>
    (
      await fixture.app.inject({
        method: 'GET',
        url: '/v1/ledger-alerts',
        headers: await bearer('certification_body', 'acme'),
      })
    ).json().items as { kind: string; checkpointSize: number | null; toe: string; detail: string }[];

  it('refuses a posture callback without a checkpoint (422 naming claims.ledgerCheckpoint)', async () => {
    const problem = expectProblem(await send(null), 422, 'claims.ledgerCheckpoint');
    expect(problem.type).toBe('https://cabc.dev/problems/missing-ledger-checkpoint');
  });

  it("refuses and alerts on a checkpoint the auditor's note key did not sign", async () => {
    const problem = expectProblem(
      await send(checkpointOf(3, 1, await generateSigningKey())),
      422,
      'claims.ledgerCheckpoint.note',
    );
    expect(problem.type).toBe('https://cabc.dev/problems/invalid-ledger-checkpoint');
    expect((await alerts())[0]).toMatchObject({ kind: 'bad_signature', checkpointSize: 3, toe: 'credit-scoring' });
  });

  it('refuses a checkpoint whose claims state another size or root than the signed note', async () => {
    const honest = checkpointOf(3, 1);
    expectProblem(await send({ ...honest, size: 4 }), 422, 'claims.ledgerCheckpoint');
    expect((await alerts())[0]).toMatchObject({ kind: 'checkpoint_mismatch' });
  });

  it('applies a callback whose checkpoint verifies, and keeps the checkpoint', async () => {
    const response = await send(checkpointOf(3, 1));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ outcome: 'applied', state: 'issued' });
  });

  it('refuses and alerts on a second signed checkpoint of the same size with another root (a fork)', async () => {
    expectProblem(await send(checkpointOf(3, 2)), 422, 'claims.ledgerCheckpoint');
    const [fork] = await alerts();
    expect(fork).toMatchObject({ kind: 'fork', checkpointSize: 3 });
    expect(fork!.detail).toMatch(/the log forked/);
  });

  it('applies a decision against the certificate even when its checkpoint is refused (fail closed), and alerts', async () => {
    // A rewritten ledger must not freeze an issued certificate: only a favourable decision needs the proof.
    const before = (await alerts()).length;
    const response = await send(checkpointOf(3, 4), 'non_compliant');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ outcome: 'applied', state: 'suspended' });
    const now = await alerts();
    expect(now).toHaveLength(before + 1);
    expect(now[0]).toMatchObject({ kind: 'fork', checkpointSize: 3 });
    // Without a checkpoint, or with one the ledger cannot prove now: applied too.
    expect((await send(null, 'error')).json()).toMatchObject({ outcome: 'no_change', state: 'suspended' });
    expect((await send(checkpointOf(6, 3), 'non_compliant')).statusCode).toBe(200);
    // A favourable decision on a refused checkpoint still changes nothing.
    expectProblem(await send(checkpointOf(3, 5)), 422, 'claims.ledgerCheckpoint');
  });

  it("answers 503 (retry later) when the auditor's ledger cannot give the consistency proof", async () => {
    const before = (await alerts()).length;
    const problem = expectProblem(await send(checkpointOf(5, 3)), 503);
    expect(problem.type).toBe('https://cabc.dev/problems/auditor-ledger-unavailable');
    expect(await alerts()).toHaveLength(before);
  });
});
