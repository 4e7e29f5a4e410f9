import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '@cabc/service-kit';
import { createTestDatabase, type TestDatabase } from '@cabc/testing';
import { createOutboxProcessor, fairPendingHeads, OutboxRepository } from '../src/index.ts';

/** A receiver that answers `status` to every delivery and counts them. */
function receiver() {
  const state = { status: 200, hits: 0 };
  const server: Server = createServer((request, response) => {
    state.hits += 1;
    request.resume();
    request.on('end', () => {
      response.writeHead(state.status, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  return { state, server };
}

describe('outbox retry schedule and dead letters', () => {
  let database: TestDatabase;
  let db: Database<any>;
  let outbox: OutboxRepository;
  const target = receiver();
  let destination: string;
  const kicked: number[] = [];
  const process = () =>
    createOutboxProcessor({
      outbox,
      logger: pino({ level: 'silent' }),
      kickNext: async (id) => {
        kicked.push(id);
      },
      maxAttempts: 3,
    });
  const add = (orderingKey: string, topic = 'evidence') =>
    outbox.add({ topic, orderingKey, destination, contentType: 'application/json', body: '{}' });
  const statusOf = async (id: number) => (await outbox.find(id))?.status;

  beforeAll(async () => {
    database = await createTestDatabase('evidence-collector');
    db = createDatabase(database.url, { logger: pino({ level: 'silent' }) });
    outbox = new OutboxRepository(db);
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    destination = `http://127.0.0.1:${(target.server.address() as AddressInfo).port}/v1/evidence`;
  });
  afterAll(async () => {
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
    await db?.destroy();
    await database?.drop();
  });
  beforeEach(async () => {
    await db.deleteFrom('outbox').execute();
    target.state.status = 200;
    target.state.hits = 0;
    kicked.length = 0;
  });

  it('dead-letters a message after its schedule and lets the next message of its key go', async () => {
    target.state.status = 503;
    const head = await add('toe-a');
    const next = await add('toe-a');
    const deliver = process();
    expect(await deliver({ outboxId: next })).toBe('blocked');
    await expect(deliver({ outboxId: head })).rejects.toThrow('HTTP 503');
    await expect(deliver({ outboxId: head })).rejects.toThrow('HTTP 503');
    expect(await deliver({ outboxId: head })).toBe('dead_letter');
    expect(await outbox.find(head)).toMatchObject({ status: 'dead_letter', attempts: 3 });
    expect((await outbox.find(head))?.deadLetteredAt).toBeInstanceOf(Date);
    expect(kicked).toEqual([next]);
    target.state.status = 200;
    expect(await deliver({ outboxId: next })).toBe('delivered');
    expect(target.state.hits).toBe(4);
    expect(await outbox.countUndelivered()).toEqual({ rejected: 0, dead_letter: 1 });
  });

  it('retries 401, 403 and 429 within the schedule (a stale signature is signed anew); 422 is refused for good', async () => {
    const deliver = process();
    for (const status of [401, 403, 429]) {
      target.state.status = status;
      const id = await add(`toe-${status}`);
      await expect(deliver({ outboxId: id })).rejects.toThrow(`HTTP ${status}`);
      expect(await statusOf(id)).toBe('pending');
    }
    target.state.status = 422;
    const refused = await add('toe-422');
    expect(await deliver({ outboxId: refused })).toBe('rejected');
  });

  it('redelivers dead letters with a fresh schedule', async () => {
    target.state.status = 503;
    const id = await add('toe-b');
    const deliver = process();
    for (let attempt = 0; attempt < 2; attempt += 1) await deliver({ outboxId: id }).catch(() => undefined);
    expect(await deliver({ outboxId: id })).toBe('dead_letter');
    expect(await deliver({ outboxId: id })).toBe('already_done');
    expect(await outbox.undelivered({ limit: 10 })).toEqual([expect.objectContaining({ id, status: 'dead_letter' })]);
    expect(await outbox.redeliver([id])).toEqual([id]);
    expect(await outbox.find(id)).toMatchObject({ status: 'pending', attempts: 0, deadLetteredAt: null });
    target.state.status = 200;
    expect(await deliver({ outboxId: id })).toBe('delivered');
    expect(await outbox.redeliver()).toEqual([]);
  });

  it("shows and redelivers only the ordering keys a caller may see (an auditor: its organization's ToEs)", async () => {
    const mine = await add('toe-mine');
    const theirs = await add('toe-theirs');
    for (const id of [mine, theirs]) await outbox.markDeadLetter(id, 'gave up');
    expect((await outbox.undelivered({ limit: 10, orderingKeys: ['toe-mine'] })).map((row) => row.id)).toEqual([mine]);
    expect(await outbox.undelivered({ limit: 10, orderingKeys: [] })).toEqual([]);
    expect(await outbox.countByStatus(['toe-mine'])).toEqual({ dead_letter: 1 });
    expect(await outbox.redeliver([mine, theirs], ['toe-mine'])).toEqual([mine]);
    expect(await statusOf(theirs)).toBe('dead_letter');
  });

  it('reconciles fairly: heads of every key in turn, never the messages waiting behind a head', async () => {
    const crowded: number[] = [];
    for (let index = 0; index < 30; index += 1) crowded.push(await add('toe-crowded'));
    const others = [await add('toe-x'), await add('toe-y'), await add('toe-z'), await add('toe-x', 'callbacks')];
    const rounds = fairPendingHeads(outbox, 2);
    const later = new Date(Date.now() + 60_000);
    const seen = new Set<number>();
    for (let round = 0; round < 3; round += 1) {
      const ids = await rounds(later);
      expect(ids.length).toBeLessThanOrEqual(2);
      for (const id of ids) seen.add(id);
    }
    // Every key's head within (5 keys / 2 per round) rounds, however many messages one key holds.
    expect([...seen].sort((a, b) => a - b)).toEqual([crowded[0], ...others]);
  });
});
