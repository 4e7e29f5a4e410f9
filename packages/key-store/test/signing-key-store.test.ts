import { createCipheriv, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  announceKey,
  encryptPrivateKey,
  followAnnouncements,
  generateSigningKey,
  KeyDecryptionError,
  decryptPrivateKey,
  type SigningKey,
} from '@cabc/crypto';
import { createDatabase } from '@cabc/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@cabc/testing';
import { SigningKeyStore, startKeyRotationTimer, type RefusedKey } from '@cabc/key-store';

const SECRET = 'test-only-key-encryption-secret';
const SERVICE = 'assessment';

/** The sealed format services wrote before v2 (HKDF without salt, nothing bound), to test the migration on start. */
function sealV1(privateKey: KeyObject, secret: string, context: string): string {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(secret), Buffer.alloc(0), `cabc-key-encryption:${context}`, 32),
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(privateKey.export({ format: 'der', type: 'pkcs8' })), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

describe('signing key store: a chain of announced keys, sealed with scrypt and bound to their key id', () => {
  let database: TestDatabase;
  let db: Kysely<any>;
  let refused: RefusedKey[];
  const store = (secret = SECRET) =>
    new SigningKeyStore(db, { secret, service: SERVICE, refreshMs: 0, onRefused: (key) => refused.push(key) });
  const plant = async (
    key: SigningKey,
    fields: { sealed?: string; status?: string; announcement?: string | null } = {},
  ) =>
    sql`insert into signing_keys (kid, public_jwk, sealed_private_key, status, announcement)
        values (${key.kid}, ${JSON.stringify(key.publicJwk)}, ${fields.sealed ?? encryptPrivateKey(key.privateKey, SECRET, SERVICE, key.kid)},
                ${fields.status ?? 'retired'}, ${fields.announcement ?? null})`.execute(db);

  beforeAll(async () => {
    database = await createTestDatabase('assessment');
    db = createDatabase<any>(database.url);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });
  beforeEach(async () => {
    refused = [];
    await sql`delete from signing_keys`.execute(db);
  });

  it('makes the first key on first use, seals it with scrypt (v2) bound to its key id', async () => {
    const keys = store();
    const first = await keys.active();
    const { rows } = await sql<{
      sealed_private_key: string;
      announcement: string | null;
    }>`select * from signing_keys`.execute(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sealed_private_key).toMatch(/^v2\.15\./);
    expect(rows[0]!.announcement).toBeNull();
    expect(() => decryptPrivateKey(rows[0]!.sealed_private_key, SECRET, SERVICE, 'another-kid')).toThrow(
      KeyDecryptionError,
    );
    expect(() => decryptPrivateKey(rows[0]!.sealed_private_key, SECRET, 'certification-body', first.kid)).toThrow(
      KeyDecryptionError,
    );
    expect(await keys.jwks()).toEqual({ keys: [first.publicJwk], announcements: [] });
  });

  it('rotates: the new key is announced by the old one, both stay published, a follower trusts both', async () => {
    const keys = store();
    const first = await keys.active();
    const prepared = await keys.prepareNext();
    expect(prepared).toMatchObject({ created: true, key: { status: 'next' } });
    expect((await keys.active()).kid).toBe(first.kid);
    const rotated = await keys.rotate();
    expect(rotated).toMatchObject({ promoted: true, active: { kid: prepared.key.kid }, retired: { kid: first.kid } });
    const emergency = await keys.rotate();
    expect(emergency.promoted).toBe(false);
    expect((await keys.active()).kid).toBe(emergency.active.kid);
    const jwks = await keys.jwks();
    expect(jwks.keys.map((jwk) => jwk.kid)).toEqual([emergency.active.kid, prepared.key.kid, first.kid]);
    expect(jwks.announcements).toHaveLength(2);
    // Someone who trusted only the first key follows both rotations.
    const followed = await followAnnouncements(jwks, new Map([[first.kid, first.publicKey]]));
    expect([...followed.trusted.keys()].sort()).toEqual([first.kid, prepared.key.kid, emergency.active.kid].sort());
    expect(followed.refused).toEqual([]);
    expect(refused).toEqual([]);
  });

  it('refuses planted rows: not published, not used, not promoted, reported', async () => {
    const keys = store();
    const genuine = await keys.active();
    const wrongSecret = await generateSigningKey();
    await plant(wrongSecret, {
      sealed: encryptPrivateKey(wrongSecret.privateKey, 'another-secret-entirely', SERVICE, wrongSecret.kid),
    });
    // Even sealed with the right secret (an insider), a key no earlier key announced is not the service's.
    const unannounced = await generateSigningKey();
    await plant(unannounced);
    const stranger = await generateSigningKey();
    const announcedByStranger = await generateSigningKey();
    await plant(announcedByStranger, {
      announcement: await announceKey(announcedByStranger, stranger, SERVICE),
      status: 'next',
    });

    const jwks = await keys.jwks();
    expect(jwks.keys.map((jwk) => jwk.kid)).toEqual([genuine.kid]);
    expect(refused.map((key) => key.kid).sort()).toEqual(
      [wrongSecret.kid, unannounced.kid, announcedByStranger.kid].sort(),
    );
    expect(refused.find((key) => key.kid === unannounced.kid)!.reason).toMatch(/no announcement/);
    // The planted "next" key is not what a rotation activates.
    const rotated = await keys.rotate();
    expect(rotated.promoted).toBe(false);
    expect(rotated.active.kid).not.toBe(announcedByStranger.kid);
    expect((await keys.active()).kid).toBe(rotated.active.kid);
    // Reported once per process.
    await keys.jwks();
    expect(refused).toHaveLength(3);
  });

  it('refuses a sealed key moved to another row (the key id is bound)', async () => {
    const keys = store();
    const first = await keys.active();
    const second = (await keys.rotate()).active;
    await sql`update signing_keys set sealed_private_key = (select sealed_private_key from signing_keys where kid = ${first.kid}) where kid = ${second.kid}`.execute(
      db,
    );
    const fresh = store();
    expect((await fresh.jwks()).keys.map((jwk) => jwk.kid)).toEqual([first.kid]);
    expect(refused.map((key) => key.kid)).toEqual([second.kid]);
    await expect(fresh.active()).rejects.toThrow(/no active signing key/);
  });

  it('migrates keys sealed in the old format on start: re-sealed (v2) and announced in order', async () => {
    const older = await generateSigningKey();
    const newer = await generateSigningKey();
    await sql`insert into signing_keys (kid, public_jwk, sealed_private_key, status, created_at) values
      (${older.kid}, ${JSON.stringify(older.publicJwk)}, ${sealV1(older.privateKey, SECRET, SERVICE)}, 'retired', now() - interval '1 day'),
      (${newer.kid}, ${JSON.stringify(newer.publicJwk)}, ${sealV1(newer.privateKey, SECRET, SERVICE)}, 'active', now())`.execute(
      db,
    );
    const keys = store();
    expect((await keys.active()).kid).toBe(newer.kid);
    const { rows } = await sql<{ kid: string; sealed_private_key: string; announcement: string | null }>`
      select kid, sealed_private_key, announcement from signing_keys order by created_at`.execute(db);
    expect(rows.map((row) => row.sealed_private_key.slice(0, 5))).toEqual(['v2.15', 'v2.15']);
    expect(rows[0]!.announcement).toBeNull();
    expect(rows[1]!.announcement).toEqual(expect.any(String));
    const followed = await followAnnouncements(await keys.jwks(), new Map([[older.kid, older.publicKey]]));
    expect(followed.trusted.has(newer.kid)).toBe(true);
    expect(refused).toEqual([]);
  });

  it('re-seals every key under a new secret; the old secret then opens none', async () => {
    const keys = store();
    const first = await keys.active();
    const second = (await keys.rotate()).active;
    expect(await keys.reseal('the-new-sealing-secret-0123')).toBe(2);
    const withNew = store('the-new-sealing-secret-0123');
    expect((await withNew.active()).kid).toBe(second.kid);
    expect((await withNew.jwks()).keys.map((jwk) => jwk.kid)).toEqual([second.kid, first.kid]);
    expect(refused).toEqual([]);
    const withOld = store();
    // Every key sealed under another secret: said as such (the run command tells the user what to do), not "planted".
    await expect(withOld.active()).rejects.toThrow(KeyDecryptionError);
    await expect(withOld.active()).rejects.toThrow(/no stored signing key opens under this KEY_ENCRYPTION_SECRET/);
    expect(refused).toHaveLength(2);
  });

  it('rotates on schedule: prepares a next key once the active one is due, activates it after the overlap', async () => {
    const keys = store();
    const first = await keys.active();
    const day = 86_400_000;
    const at = (ms: number) => new Date(Date.now() + ms);
    expect(await keys.rotateIfDue({ intervalMs: 30 * day, overlapMs: day, now: at(day) })).toBe('none');
    expect(await keys.rotateIfDue({ intervalMs: 30 * day, overlapMs: day, now: at(31 * day) })).toBe('prepared');
    expect((await keys.active()).kid).toBe(first.kid);
    expect(await keys.rotateIfDue({ intervalMs: 30 * day, overlapMs: day, now: at(60_000) })).toBe('none');
    expect(await keys.rotateIfDue({ intervalMs: 30 * day, overlapMs: day, now: at(day + 60_000) })).toBe('rotated');
    expect((await keys.active()).kid).not.toBe(first.kid);
  });

  it('runs the schedule on its timer (SIGNING_KEY_ROTATION_INTERVAL): announces, then activates after the overlap', async () => {
    const keys = store();
    const first = await keys.active();
    const steps: string[] = [];
    const stop = startKeyRotationTimer({
      keys,
      intervalMs: 1,
      overlapMs: 300,
      checkEveryMs: 50,
      logger: { info: (object) => steps.push((object as { step: string }).step), error: () => {} },
    });
    try {
      await waitFor('a scheduled rotation', async () => ((await keys.active()).kid !== first.kid ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 100,
      });
    } finally {
      await stop();
    }
    expect(steps.slice(0, 2)).toEqual(['prepared', 'rotated']);
    const jwks = await keys.jwks();
    expect(jwks.keys.map((jwk) => jwk.kid)).toContain(first.kid);
    expect(refused).toEqual([]);
  });
});
