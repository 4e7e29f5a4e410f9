import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeTraceparent, createDatabase, type Database, inSpan, startTracing, stopTracing } from '@cabc/service-kit';
import { createTestDatabase, type TestDatabase } from '@cabc/testing';
import { createOutboxProcessor, OutboxRepository } from '../src/index.ts';

/**
 * A row stores the trace context of the span that wrote it: delivered later, outside that span (a reconciler, a
 * retry, another replica), its delivery span is still that span's child and sends it on as `traceparent`.
 */
describe('outbox rows carry their trace context to the delivery', () => {
  const exporter = new InMemorySpanExporter();
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on('end', () => response.writeHead(201, { 'content-type': 'application/json' }).end('{}'));
  });
  let database: TestDatabase;
  let db: Database<any>;
  let outbox: OutboxRepository;
  let destination: string;

  beforeAll(async () => {
    await startTracing({ serviceName: 'evidence-collector', spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    database = await createTestDatabase('evidence-collector');
    db = createDatabase(database.url, { logger: pino({ level: 'silent' }) });
    outbox = new OutboxRepository(db);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    destination = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/evidence`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await db?.destroy();
    await database?.drop();
    await stopTracing();
  });

  it('continues the writing span’s trace in the delivery span and its traceparent header', async () => {
    const row = { topic: 'evidence', orderingKey: 'toe-a', destination, contentType: 'application/json', body: '{}' };
    const { id, writing } = await inSpan('write evidence', { service: 'evidence-collector' }, async () => ({
      id: await outbox.add(row),
      writing: activeTraceparent(),
    }));
    const [, traceId, spanId] = (writing ?? '').split('-');
    expect(writing).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect((await outbox.find(id))?.traceContext).toBe(writing);

    const deliver = createOutboxProcessor({
      outbox,
      logger: pino({ level: 'silent' }),
      kickNext: async () => {},
      maxAttempts: 3,
    });
    expect(await deliver({ outboxId: id })).toBe('delivered');

    const delivery = exporter.getFinishedSpans().find((span) => span.name === 'outbox deliver evidence');
    expect(delivery?.spanContext().traceId).toBe(traceId);
    expect(delivery?.parentSpanContext?.spanId).toBe(spanId);
    expect(delivery?.attributes['cabc.outbox.id']).toBe(id);
    expect(seen.at(-1)?.traceparent).toBe(`00-${traceId}-${delivery?.spanContext().spanId}-01`);
  });

  it('writes no context for a row written outside any span', async () => {
    const id = await outbox.add({
      topic: 'evidence',
      orderingKey: 'toe-b',
      destination,
      contentType: 'application/json',
      body: '{}',
    });
    expect((await outbox.find(id))?.traceContext).toBeNull();
  });
});
