import { execFile } from 'node:child_process';
import { verify } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptPrivateKey, generateSigningKey, publicKeyFromJwk } from '@cabc/crypto';
import { signCheckpoint } from '@cabc/ledger';
import { createDatabase } from '@cabc/service-kit';
import { waitFor } from '@cabc/testing';
import { createLedgerClient } from '../src/modules/ledger-watch/ledger-watch.client.ts';
import { createLedgerWatchRepository } from '../src/modules/ledger-watch/ledger-watch.repository.ts';
import { createLedgerWatcher } from '../src/modules/ledger-watch/ledger-watch.service.ts';
import { createReceiptVerifier } from '../src/modules/ledger-watch/receipt-verifier.ts';
import { api, certifyToe, type CertifiedToe } from '../../../apps/platform/src/index.ts';
import {
  getJson,
  performanceEvidence,
  postJson,
  startTestPlatform,
} from '../../../apps/platform/test/platform-fixture.ts';

const SECRET = 'test-only-key-encryption-secret';
const keysScript = path.resolve(import.meta.dirname, '../../../scripts/keys.ts');
const run = promisify(execFile);

const part = (token: string, index: number) =>
  JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'));
const decodeProtectedHeader = (token: string) => part(token, 0) as { kid?: string };

/** The claims of a compact JWS once its EdDSA signature verifies with the key of the set it names. */
function jwtVerify(token: string, jwks: { keys: { kid: string }[] }): Record<string, unknown> {
  const [header, payload, signature] = token.split('.');
  const jwk = jwks.keys.find((key) => key.kid === decodeProtectedHeader(token).kid);
  if (!jwk) throw new Error(`no key ${decodeProtectedHeader(token).kid} in the set`);
  const signed = Buffer.from(`${header}.${payload}`);
  if (!verify(null, signed, publicKeyFromJwk(jwk), Buffer.from(signature ?? '', 'base64url')))
    throw new Error('bad signature');
  return part(token, 1);
}

/** `pnpm keys <command> --service <service>` as an operator runs it, on the service's database. */
async function keysCommand(command: string, service: string, databaseUrl: string): Promise<string> {
  const { stdout } = await run(process.execPath, [keysScript, command, '--service', service], {
    env: { ...process.env, DATABASE_URL: databaseUrl, KEY_ENCRYPTION_SECRET: SECRET },
    timeout: 60_000,
  });
  return stdout;
}

describe('signing keys of all three services rotate mid-flow; every flow keeps working, a planted key is refused', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let toe: CertifiedToe;
  let assessmentDb: Kysely<any>;
  let collectorDb: Kysely<any>;
  let watcher: ReturnType<typeof createLedgerWatcher>;
  const jwksOf = async (url: string) => (await getJson(`${url}/.well-known/jwks.json`)).body;
  const kidsOf = async (url: string) => ((await jwksOf(url)).keys as { kid: string }[]).map((key) => key.kid);
  const push = async (accuracy: number) => {
    const submitted = await postJson(
      `${platform.urls.collector}/v1/evidence`,
      performanceEvidence(toe.toeId, accuracy),
      {
        authorization: `Bearer ${toe.tokens.pipeline}`,
      },
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    return waitFor('the evidence delivered with a receipt', async () => {
      const view = await getJson(`${platform.urls.collector}/v1/evidence/${submitted.body.id}`, toe.tokens.pipeline);
      return view.body.delivery.status === 'delivered' ? view.body : undefined;
    });
  };
  const certificate = (state: string) =>
    waitFor(`the certificate ${state}`, async () => {
      const items = (
        await getJson(
          `${platform.urls.certificationBody}/v1/certificates?toe=${toe.toeId}`,
          toe.tokens.auditeeAtCertificationBody,
        )
      ).body.items as { id: string; state: string; token: string }[];
      return items[0]?.state === state ? items[0] : undefined;
    });
  const checkpoint = () =>
    api('POST', `${platform.urls.assessment}/v1/ledger/checkpoints`, { token: toe.tokens.auditor });

  beforeAll(async () => {
    platform = await startTestPlatform({
      env: { collector: { LEDGER_WATCH_INTERVAL: '0' }, assessment: { CHECKPOINT_INTERVAL: '1h' } },
    });
    assessmentDb = createDatabase<any>(platform.databaseUrls.assessment, { max: 2 });
    collectorDb = createDatabase<any>(platform.databaseUrls.collector, { max: 2 });
    watcher = createLedgerWatcher({
      repository: createLedgerWatchRepository(collectorDb),
      client: createLedgerClient(platform.urls.assessment),
      // Receipts checked against the auditor's published keys, which rotate in this test.
      verifyReceipt: createReceiptVerifier(`${platform.urls.assessment}/.well-known/jwks.json`),
      logger: pino({ level: 'silent' }),
    });
    // A planned collector rotation: the next key is announced first, so the scope approved below trusts it too.
    expect(await keysCommand('prepare', 'evidence-collector', platform.databaseUrls.collector)).toMatch(
      /announced next key/,
    );
    toe = await certifyToe(platform, { org: 'acme', name: 'rotating-keys' });
  }, 120_000);
  afterAll(async () => {
    await assessmentDb?.destroy();
    await collectorDb?.destroy();
    await platform?.dispose();
  });

  it('keeps evidence → receipt → callback → certificate → status working across rotations of every key', {
    timeout: 180_000,
  }, async () => {
    const before = {
      // Newest first: the announced next key, then the active one.
      collector: (await kidsOf(platform.urls.collector))[0]!,
      assessment: (await kidsOf(platform.urls.assessment))[0]!,
      certificationBody: (await kidsOf(platform.urls.certificationBody))[0]!,
    };
    const first = await push(0.95);
    const issued = await certificate('issued');
    expect(decodeProtectedHeader(first.delivery.receipt.receipt).kid).toBe(before.assessment);
    await checkpoint();
    expect((await watcher.runOnce()).failures).toEqual([]);

    for (const [service, url] of [
      ['evidence-collector', platform.databaseUrls.collector],
      ['assessment', platform.databaseUrls.assessment],
      ['certification-body', platform.databaseUrls.certificationBody],
    ] as const) {
      expect(await keysCommand('rotate', service, url)).toMatch(/^rotated: /);
    }
    const after = {
      collector: (await kidsOf(platform.urls.collector))[0]!,
      assessment: (await kidsOf(platform.urls.assessment))[0]!,
      certificationBody: (await kidsOf(platform.urls.certificationBody))[0]!,
    };
    expect(after.assessment).not.toBe(before.assessment);
    expect(after.certificationBody).not.toBe(before.certificationBody);
    // The collector activated the key it had announced (and the scope trusts).
    expect(after.collector).toBe(before.collector);
    // Old keys stay published: what they signed keeps verifying.
    expect(await kidsOf(platform.urls.assessment)).toContain(before.assessment);
    const cbJwks = await jwksOf(platform.urls.certificationBody);
    expect(cbJwks.announcements).toHaveLength(1);
    expect(jwtVerify(issued.token, cbJwks).iss).toBe('cabc-certification-body');

    // The services pick the rotation up within their key refresh (5 s): a degraded metric then goes all the way through.
    const degraded = await waitFor(
      'evidence signed and received with the new keys',
      async () => {
        const delivered = await push(0.5);
        return decodeProtectedHeader(delivered.delivery.receipt.receipt).kid === after.assessment
          ? delivered
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 2_000 },
    );
    expect(degraded.delivery.receipt.envelopeSha256).toBeDefined();
    const revoked = await certificate('revoked');
    expect(revoked.id).toBe(issued.id);
    const status = await fetch(`${platform.urls.certificationBody}/v1/status/${issued.id}`, {
      headers: { accept: 'application/jwt' },
    });
    const statusJws = (await status.text()).trim();
    expect(decodeProtectedHeader(statusJws).kid).toBe(after.certificationBody);
    expect(jwtVerify(statusJws, await jwksOf(platform.urls.certificationBody))).toMatchObject({ status: 'revoked' });

    // The collector's watcher follows the auditor's announced note key.
    await checkpoint();
    expect((await watcher.runOnce()).failures).toEqual([]);
    const atCollector = await platform.token('auditee', 'acme', { service: 'collector' });
    const watch = await getJson(`${platform.urls.collector}/v1/ledger-watch/status`, atCollector);
    expect(watch.body.keyPinnedBy).toBe('announced');
  });

  it('refuses a key planted in the auditor database: not published, and a checkpoint signed with it is a failure', async () => {
    const planted = await generateSigningKey();
    await sql`insert into signing_keys (kid, public_jwk, sealed_private_key, status)
              values (${planted.kid}, ${JSON.stringify(planted.publicJwk)},
                      ${encryptPrivateKey(planted.privateKey, SECRET, 'assessment', planted.kid)}, 'retired')`.execute(
      assessmentDb,
    );
    expect(await kidsOf(platform.urls.assessment)).not.toContain(planted.kid);
    const listed = await keysCommand('list', 'assessment', platform.databaseUrls.assessment).catch(
      (error: { code: number; stderr: string; stdout: string }) => `${error.code} ${error.stdout}${error.stderr}`,
    );
    expect(listed).toMatch(new RegExp(`REFUSED  ${planted.kid}`));

    const latest = (await getJson(`${platform.urls.assessment}/v1/ledger/checkpoints/latest`)).body;
    const forged = signCheckpoint(
      { origin: latest.origin, size: latest.size + 1, rootHash: Buffer.alloc(32, 9) },
      { name: latest.origin, privateKey: planted.privateKey },
    );
    await sql`insert into ledger_checkpoints (origin, size, root_hash, kid, verifier_key, note)
              values (${latest.origin}, ${latest.size + 1}, ${Buffer.alloc(32, 9)}, ${planted.kid}, ${latest.verifierKey}, ${forged})`.execute(
      assessmentDb,
    );
    const watched = await watcher.runOnce();
    expect(watched.failures.map((failure) => failure.kind)).toEqual(['bad_checkpoint']);
  });
});
