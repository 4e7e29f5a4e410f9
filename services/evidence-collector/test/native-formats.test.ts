import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '@cabc/crypto';
import { bearer, MODEL, startCollectorApp, type CollectorFixture } from './support/collector-app.ts';
import { bytesOf, formatFiles, multipart, verifiedStatement } from './support/native.ts';

const MODEL_SHA = MODEL.split('@sha256:')[1]!;

describe('collector POST /v1/evidence with native tool files', () => {
  let fixture: CollectorFixture;
  let auth: { authorization: string };
  beforeAll(async () => {
    fixture = await startCollectorApp();
    auth = await bearer('pipeline');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  async function expectSignedEvidence(
    view: { evidence: { id: string; format: string | null; rawSha256: string | null; kind: string }[] },
    format: string,
    bytes: Buffer,
  ) {
    expect(view.evidence.length).toBeGreaterThan(0);
    for (const item of view.evidence) {
      expect(item.format).toBe(format);
      expect(item.rawSha256).toBe(sha256Hex(bytes));
      const { statement, keyid } = await verifiedStatement(fixture.app, item.id, auth);
      expect(keyid).toBe((await fixture.infra.keys.active()).kid);
      expect(statement.predicate.toe).toBe('credit-scoring');
      expect(statement.predicate.kind).toBe(item.kind);
      expect(statement.predicate.raw?.digest.sha256).toBe(sha256Hex(bytes));
      expect(statement.predicate.producer.adapter).toBe(`@cabc/adapters/${format}@1`);
      // The request's model is a subject of every statement (the file's own digests, if any, come first).
      expect(statement.subject.map((subject) => subject.digest.sha256)).toContain(MODEL_SHA);
    }
    const raw = await fixture.app.inject({ method: 'GET', url: `/v1/raw/${sha256Hex(bytes)}`, headers: auth });
    expect(raw.statusCode).toBe(200);
    expect(raw.rawPayload.equals(bytes)).toBe(true);
  }

  it.each(formatFiles)('$format as the raw body: detected, adapted, each item signed', async ({ format, file }) => {
    const bytes = bytesOf(file);
    const response = await fixture.app.inject({
      method: 'POST',
      url: `/v1/evidence?toe=credit-scoring&model=${encodeURIComponent(MODEL)}&filename=${encodeURIComponent(path.basename(file))}`,
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      payload: bytes,
    });
    expect(response.statusCode, response.body).toBe(201);
    const view = response.json();
    expect(response.headers.location).toBe(`/v1/submissions/${view.id}`);
    expect(view.toe).toBe('credit-scoring');
    for (const item of view.evidence)
      expect(item).toMatchObject({ file: path.basename(file), delivery: { status: 'pending' } });
    await expectSignedEvidence(view, format, bytes);
  });

  it.each(formatFiles)('$format in a multipart upload with the format named', async ({ format, file }) => {
    const bytes = bytesOf(file);
    const body = await multipart({ toe: 'credit-scoring', format, model: MODEL }, [
      { name: path.basename(file), bytes },
    ]);
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { ...auth, ...body.headers },
      payload: body.payload,
    });
    expect(response.statusCode, response.body).toBe(201);
    await expectSignedEvidence(response.json(), format, bytes);
  });

  it('takes every sample in one multipart request: one statement per item, in file order, stored once', async () => {
    const before = await fixture.counts();
    const files = formatFiles.map(({ file }) => ({ name: path.basename(file), bytes: bytesOf(file) }));
    const body = await multipart({ toe: 'credit-scoring', model: MODEL }, files);
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { ...auth, ...body.headers },
      payload: body.payload,
    });
    expect(response.statusCode, response.body).toBe(201);
    const view = response.json() as {
      id: string;
      evidence: { id: string; format: string; rawSha256: string; file: string }[];
    };
    expect([...new Set(view.evidence.map((item) => item.format))]).toEqual(formatFiles.map(({ format }) => format));
    expect([...new Set(view.evidence.map((item) => item.rawSha256))]).toEqual(
      files.map((file) => sha256Hex(file.bytes)),
    );
    const after = await fixture.counts();
    expect(after.evidence - before.evidence).toBe(view.evidence.length);
    expect(after.outbox - before.outbox).toBe(view.evidence.length);
    expect(after.submissions - before.submissions).toBe(1);
    // The same bytes were uploaded by the earlier tests: content addressing stores them once.
    expect(after.raw).toBe(before.raw);

    const submission = await fixture.app.inject({ method: 'GET', url: `/v1/submissions/${view.id}`, headers: auth });
    expect(submission.statusCode).toBe(200);
    expect(submission.json().evidence.map((item: { id: string }) => item.id)).toEqual(
      view.evidence.map((item) => item.id),
    );
  });

  it('uses the digests a file carries as subjects without a model parameter (Croissant, CABC robustness)', async () => {
    for (const { file } of formatFiles.filter(({ format }) => format === 'croissant' || format === 'cabc-robustness')) {
      const response = await fixture.app.inject({
        method: 'POST',
        url: '/v1/evidence?toe=credit-scoring',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: bytesOf(file),
      });
      expect(response.statusCode, response.body).toBe(201);
      const { statement } = await verifiedStatement(fixture.app, response.json().evidence[0].id, auth);
      expect(statement.subject.length).toBeGreaterThan(0);
      expect(statement.subject.map((subject) => subject.digest.sha256)).not.toContain(MODEL_SHA);
    }
  });

  it('lists evidence newest first with cursor pagination, filtered by ToE', async () => {
    const bytes = bytesOf(formatFiles[0]!.file);
    for (const toe of ['paging-a', 'paging-b', 'paging-a']) {
      const response = await fixture.app.inject({
        method: 'POST',
        url: `/v1/evidence?toe=${toe}&model=${encodeURIComponent(MODEL)}`,
        headers: { ...auth, 'content-type': 'application/json' },
        payload: bytes,
      });
      expect(response.statusCode).toBe(201);
    }
    // mlflow-run yields two items per file: 4 evidence for paging-a.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/evidence?toe=paging-a&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await fixture.app.inject({ method: 'GET', url, headers: auth });
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json() as {
        items: { id: string; toe: string; createdAt: string }[];
        nextCursor: string | null;
      };
      for (const item of body.items) expect(item.toe).toBe('paging-a');
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    const all = await fixture.app.inject({ method: 'GET', url: '/v1/evidence?limit=200', headers: auth });
    expect(all.json().items.length).toBeGreaterThan(4);

    const bad = await fixture.app.inject({ method: 'GET', url: '/v1/evidence?cursor=not-ours', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('query:cursor');
  });
});
