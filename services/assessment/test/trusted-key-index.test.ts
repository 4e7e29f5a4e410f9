import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import { createDatabase } from '@cabc/service-kit';
import { createTestDatabase, type TestDatabase } from '@cabc/testing';
import { createTrustedKeyIndex } from '../src/modules/evidence/trusted-key-index.ts';
import { seedApprovedToe } from './support/seed.ts';

/** Counts the statements sent to Postgres: the index's whole point is how few there are. */
function statementCounter(): KyselyPlugin & { count: number } {
  return {
    count: 0,
    transformQuery(args) {
      this.count += 1;
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
}

describe('trusted collector key index', () => {
  let database: TestDatabase;
  let key: SigningKey;
  beforeAll(async () => {
    database = await createTestDatabase('assessment');
    key = await generateSigningKey();
    const db = createDatabase<any>(database.url, { max: 1 });
    try {
      await seedApprovedToe(db, 'toe-indexed', [key]);
    } finally {
      await db.destroy();
    }
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('answers from memory, and envelopes naming unknown ToEs cost at most the miss budget of reads a second', async () => {
    const counter = statementCounter();
    const db = createDatabase<any>(database.url, { max: 2 }).withPlugin(counter);
    let clock = 1_000_000;
    const index = createTrustedKeyIndex(db, () => clock);
    try {
      const keys = await index.keysOf('toe-indexed', [key.kid]);
      expect([...(keys?.trusted.keys() ?? [])]).toEqual([key.kid]);
      expect(counter.count).toBe(1);
      for (let i = 0; i < 50; i += 1) await index.keysOf('toe-indexed', [key.kid]);
      expect(counter.count).toBe(1);

      // 500 random ToE names within one second: one read each up to the budget (100), then none.
      for (let i = 0; i < 500; i += 1) expect(await index.keysOf(`toe-random-${i}`, ['k'])).toBeUndefined();
      expect(counter.count).toBe(1 + 100);
      // The same unknown ToE again costs nothing until the next full read.
      clock += 1_500;
      await index.keysOf('toe-random-1', ['k']);
      expect(counter.count).toBe(101);
      // Past the index's age, one full read.
      clock += 5_000;
      await index.keysOf('toe-indexed', [key.kid]);
      expect(counter.count).toBe(102);
    } finally {
      await db.destroy();
    }
  });
});
