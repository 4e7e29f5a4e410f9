import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenBucket } from '../src/modules/status/token-bucket.ts';
import { assertWebhookUrl, blockedAddressReason, guardedLookup } from '../src/modules/webhooks/url-guard.ts';
import { keptResponseBody, webhookRetryDelay } from '../src/modules/webhooks/webhook-delivery.ts';
import {
  generateWebhookSecret,
  sealWebhookSecret,
  signWebhook,
  unsealWebhookSecret,
  verifyWebhookSignature,
} from '../src/modules/webhooks/webhook-secret.ts';

const open = { allowLoopback: true, allowPrivateNetworks: true };
const strict = { allowLoopback: false, allowPrivateNetworks: false };

describe('Standard Webhooks signatures', () => {
  it('reproduces the published Standard Webhooks test vector', () => {
    const signature = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies any of several space-separated signatures, and nothing tampered', () => {
    const secret = generateWebhookSecret();
    const header = `v1,bm9wZQ== ${signWebhook(secret, 'msg_1', 1700000000, '{"a":1}')}`;
    expect(verifyWebhookSignature(secret, 'msg_1', 1700000000, '{"a":1}', header)).toBe(true);
    expect(verifyWebhookSignature(secret, 'msg_1', 1700000000, '{"a":2}', header)).toBe(false);
    expect(verifyWebhookSignature(secret, 'msg_2', 1700000000, '{"a":1}', header)).toBe(false);
    expect(verifyWebhookSignature(secret, 'msg_1', 1700000001, '{"a":1}', header)).toBe(false);
    expect(verifyWebhookSignature(generateWebhookSecret(), 'msg_1', 1700000000, '{"a":1}', header)).toBe(false);
  });

  it('keeps secrets sealed at rest under the operator secret (scrypt, salted), bound to their subscription', () => {
    const secret = generateWebhookSecret();
    const sealed = sealWebhookSecret(secret, 'operator-secret-0123456789', 'sub-1');
    expect(sealed).toMatch(/^v2\.15\./);
    expect(sealed).not.toContain(secret.slice(6));
    expect(sealWebhookSecret(secret, 'operator-secret-0123456789', 'sub-1')).not.toBe(sealed);
    expect(unsealWebhookSecret(sealed, 'operator-secret-0123456789', 'sub-1')).toBe(secret);
    expect(() => unsealWebhookSecret(sealed, 'another-operator-secret', 'sub-1')).toThrow();
    // Moved to another subscription's row, it does not open.
    expect(() => unsealWebhookSecret(sealed, 'operator-secret-0123456789', 'sub-2')).toThrow();
  });

  it('still opens secrets sealed in the v1 format (HKDF, before v2)', () => {
    const key = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.from('operator-secret-0123456789'),
        Buffer.alloc(0),
        'cabc-key-encryption:webhook-secrets',
        32,
      ),
    );
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update('whsec_legacy', 'utf8'), cipher.final()]);
    const sealed = ['v1', iv, cipher.getAuthTag(), body]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
    expect(unsealWebhookSecret(sealed, 'operator-secret-0123456789', 'any-subscription')).toBe('whsec_legacy');
  });
});

describe('webhook retry schedule', () => {
  it('doubles from the base up to the cap, ±20 % jitter: 30 s … 8 h over 12 attempts by default', () => {
    const schedule = { baseMs: 30_000, maxMs: 8 * 3_600_000 };
    const nominal = Array.from({ length: 11 }, (_, index) => webhookRetryDelay(index + 1, schedule, () => 0.5));
    expect(nominal).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_840_000, 7_680_000, 15_360_000, 28_800_000,
    ]);
    expect(nominal.reduce((sum, delay) => sum + delay, 0) / 3_600_000).toBeCloseTo(16.525, 2);
    expect(webhookRetryDelay(1, schedule, () => 0)).toBe(24_000);
    expect(webhookRetryDelay(1, schedule, () => 1)).toBe(36_000);
    expect(webhookRetryDelay(40, schedule, () => 1)).toBe(8 * 3_600_000 * 1.2);
  });
});

describe('webhook URL guard', () => {
  it.each([
    ['169.254.169.254', true],
    ['169.254.0.1', true],
    ['100.100.100.200', true],
    ['192.0.0.192', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['fd00:ec2::254', true],
    ['::', true],
    ['::ffff:169.254.169.254', true],
    ['::ffff:a9fe:a9fe', true],
    ['64:ff9b::a9fe:a9fe', true],
    ['127.0.0.1', false],
    ['::1', false],
    ['10.0.0.8', false],
    ['93.184.215.14', false],
    ['2606:2800:21f:cb07:6820:80da:af6b:8b2c', false],
  ])('%s is never a destination: %s', (address, blocked) => {
    expect(blockedAddressReason(address, open) !== undefined).toBe(blocked);
  });

  it('refuses loopback and private networks when the deployment says so', () => {
    expect(blockedAddressReason('127.0.0.1', strict)).toMatch(/loopback/);
    expect(blockedAddressReason('::ffff:127.0.0.1', strict)).toMatch(/loopback/);
    expect(blockedAddressReason('10.1.2.3', strict)).toMatch(/private/);
    expect(blockedAddressReason('172.20.0.5', strict)).toMatch(/private/);
    expect(blockedAddressReason('fd12::1', strict)).toMatch(/private/);
    expect(blockedAddressReason('93.184.215.14', strict)).toBeUndefined();
  });

  it('resolves names at registration and refuses one that resolves to a refused address', async () => {
    await expect(assertWebhookUrl('http://localhost:8080/hooks', open)).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookUrl('http://localhost:8080/hooks', strict)).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(/resolves to .*loopback/),
    });
  });

  it('refuses a blocked address again at connect time (DNS may change after registration)', async () => {
    const lookup = guardedLookup(strict);
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('localhost', {}, (failure) => resolve(failure)),
    );
    expect(error).toMatchObject({ code: 'EBLOCKED', message: expect.stringMatching(/loopback/) });
    const allowed = await new Promise<string>((resolve, reject) =>
      guardedLookup(open)('localhost', {}, (failure, address) =>
        failure ? reject(failure) : resolve(String(address)),
      ),
    );
    expect(allowed).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

describe('status rate limit token bucket', () => {
  it('lets a burst through, refuses beyond it, and refills with time', () => {
    let now = 0;
    const bucket = createTokenBucket({ perMinute: 60, capacity: 3, now: () => now });
    expect([1, 2, 3].map(() => bucket.take('a').allowed)).toEqual([true, true, true]);
    const refused = bucket.take('a');
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.retryAfterMs).toBe(1000);
    expect(bucket.take('b').allowed).toBe(true);
    now += 1000;
    expect(bucket.take('a').allowed).toBe(true);
    expect(bucket.take('a').allowed).toBe(false);
  });

  it('forgets the least recently seen clients beyond its size', () => {
    const bucket = createTokenBucket({ perMinute: 1, capacity: 1, maxKeys: 2, now: () => 0 });
    bucket.take('a');
    bucket.take('b');
    bucket.take('c');
    expect(bucket.take('a').allowed).toBe(true);
    expect(bucket.take('c').allowed).toBe(false);
  });
});

describe("what is kept of a receiver's answer", () => {
  it('keeps nothing of a 2xx body', () => {
    expect(keptResponseBody(200, 'ok, and here is a page of ours')).toBeNull();
    expect(keptResponseBody(204, Buffer.alloc(0))).toBeNull();
  });

  it('keeps at most the first 256 bytes of any other answer, never a broken character', () => {
    expect(keptResponseBody(503, 'busy')).toBe('busy');
    expect(keptResponseBody(404, 'x'.repeat(10_000))).toBe('x'.repeat(256));
    expect(keptResponseBody(500, `${'a'.repeat(254)}é tail`)).toBe(`${'a'.repeat(254)}é`);
    expect(keptResponseBody(500, `${'a'.repeat(255)}é tail`)).toBe('a'.repeat(255));
    const invalid = keptResponseBody(302, Buffer.alloc(1000, 0xff))!;
    expect(Buffer.byteLength(invalid)).toBeLessThanOrEqual(256);
    expect(keptResponseBody(400, 'a\u0000b')).toBe('ab');
  });
});
