import { randomBytes } from 'node:crypto';
import { deleteRedisKeys } from '@cabc/service-kit';
import { inject } from 'vitest';
import './provided-context.ts';

export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A BullMQ key prefix of its own, so test files never see each other's jobs. */
export function testQueuePrefix(label = 't'): string {
  return `cabc-test-${label}-${randomBytes(4).toString('hex')}`;
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  await deleteRedisKeys(testRedisUrl(), prefix);
}
