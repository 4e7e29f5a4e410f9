/**
 * An in-process token bucket per key (client address): `capacity` requests at once, refilled continuously at
 * `perMinute`. Per replica: N replicas allow N times the rate, which is what a cheap public endpoint needs to stay
 * up, not a quota. The least recently seen keys are forgotten beyond `maxKeys`, so memory stays bounded.
 */
export function createTokenBucket(options: {
  perMinute: number;
  capacity?: number;
  maxKeys?: number;
  now?: () => number;
}) {
  const capacity = options.capacity ?? options.perMinute;
  const refillPerMs = options.perMinute / 60_000;
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    limit: capacity,
    take(key: string): { allowed: boolean; remaining: number; retryAfterMs: number } {
      const at = now();
      let bucket = buckets.get(key);
      if (bucket) {
        bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.at) * refillPerMs);
        bucket.at = at;
        buckets.delete(key);
      } else {
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
        bucket = { tokens: capacity, at };
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterMs: 0 };
      }
      return { allowed: false, remaining: 0, retryAfterMs: Math.ceil((1 - bucket.tokens) / refillPerMs) };
    },
  };
}

export type TokenBucket = ReturnType<typeof createTokenBucket>;
