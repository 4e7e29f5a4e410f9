import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectEachTestLeavesUnchanged, expectProblem } from '@cabc/testing';
import { bearer, MODEL, startCollectorApp, type CollectorFixture } from './support/collector-app.ts';
import { bytesOf, formatFiles, multipart } from './support/native.ts';

const LIMIT = 64 * 1024;
const mlflowRun = bytesOf(formatFiles.find(({ format }) => format === 'mlflow-run')!.file);
const model = encodeURIComponent(MODEL);

describe('collector refuses bad native uploads, stores nothing and keeps serving', () => {
  let fixture: CollectorFixture;
  let auth: { authorization: string };
  beforeAll(async () => {
    fixture = await startCollectorApp({ bodyLimitBytes: LIMIT });
    auth = await bearer('pipeline');
  });
  afterAll(async () => {
    await fixture?.dispose();
  });
  const unchanged = expectEachTestLeavesUnchanged(() => fixture.counts());
  afterEach(async () => {
    expect((await fixture.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  const raw = (
    payload: string | Buffer,
    query = `toe=credit-scoring&model=${model}`,
    contentType = 'application/octet-stream',
  ) =>
    fixture.app.inject({
      method: 'POST',
      url: `/v1/evidence?${query}`,
      headers: { ...auth, 'content-type': contentType },
      payload,
    });
  const form = async (
    fields: Record<string, string | string[]>,
    files: { name: string; bytes: Buffer; field?: string }[],
  ) => {
    const body = await multipart(fields, files);
    return fixture.app.inject({
      method: 'POST',
      url: '/v1/evidence',
      headers: { ...auth, ...body.headers },
      payload: body.payload,
    });
  };

  it('malformed JSON → 400 malformed with line and column', async () => {
    const problem = expectProblem(await raw('{"run": {"info": '), 400, 'body');
    expect(problem).toMatchObject({ type: 'https://cabc.dev/problems/malformed', code: 'malformed', line: 1 });
  });

  it('malformed YAML in a file named MLmodel → 400 malformed', async () => {
    const problem = expectProblem(
      await raw('flavors:\n  sklearn: [unclosed\n', `toe=t&model=${model}&filename=MLmodel`),
      400,
      'body',
    );
    expect(problem.code).toBe('malformed');
  });

  it('content of no known format → 415 unknown-format', async () => {
    const problem = expectProblem(await raw('{"hello": "world"}'), 415, 'body');
    expect(problem.type).toBe('https://cabc.dev/problems/unknown-format');
  });

  it('an unknown format parameter → 400 naming query:format', async () => {
    expectProblem(await raw(mlflowRun, `toe=t&model=${model}&format=tensorboard`), 400, 'query:format');
  });

  it('content that does not fit the named format → 422 invalid-content', async () => {
    const problem = expectProblem(await raw(mlflowRun, `toe=t&model=${model}&format=great-expectations`), 422, 'body');
    expect(problem.code).toBe('invalid');
  });

  it('a field of the wrong type → 422 naming the field inside the file', async () => {
    const run = JSON.parse(mlflowRun.toString('utf8'));
    run.run.data.metrics[0].value = 'high';
    const problem = expectProblem(await raw(JSON.stringify(run)), 422);
    expect(problem.errors?.[0]?.field).toMatch(/^run\.data\.metrics\[0\]\.value$/);
  });

  it('nesting beyond the depth limit → 400 too-deep', async () => {
    const deep = `${'['.repeat(100_00)}${']'.repeat(100_00)}`;
    const problem = expectProblem(await raw(deep), 400);
    expect(problem.code).toBe('too_deep');
  });

  it('a prototype-pollution key inside a native file → 400 forbidden-key naming where', async () => {
    const polluted = mlflowRun.toString('utf8').replace('"info": {', '"info": {"__proto__": {"polluted": true},');
    expect(polluted).not.toBe(mlflowRun.toString('utf8'));
    const problem = expectProblem(await raw(polluted), 400, 'run.info.__proto__');
    expect(problem.code).toBe('forbidden_key');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a body over BODY_LIMIT_BYTES → 413', async () => {
    const problem = expectProblem(await raw(Buffer.alloc(LIMIT + 1, 0x20)), 413, 'body');
    expect(problem.type).toBe('https://cabc.dev/problems/ctp-body-too-large');
  });

  it('not UTF-8 → 400 malformed', async () => {
    expectProblem(await raw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, 'body');
  });

  it('an empty body → 400 malformed', async () => {
    expectProblem(await raw(''), 400, 'body');
  });

  it('no subject in the file and none in the request → 422 naming subject', async () => {
    const problem = expectProblem(await raw(mlflowRun, 'toe=credit-scoring'), 422, 'subject');
    expect(problem.type).toBe('https://cabc.dev/problems/subject-required');
    expect(problem.detail).toContain('?model=');
  });

  it('a model parameter that is not <name>@sha256:<hex> → 400 naming query:model', async () => {
    expectProblem(await raw(mlflowRun, 'toe=t&model=model.onnx@md5:abcd'), 400, 'query:model');
  });

  it('an unknown query parameter → 400 naming it', async () => {
    expectProblem(await raw(mlflowRun, `toe=t&model=${model}&tOe=x`), 400, 'query:tOe');
  });

  it('native parameters without toe → 400 naming query:toe', async () => {
    expectProblem(await raw(mlflowRun, `model=${model}`, 'application/json'), 400, 'query:toe');
  });

  it('multipart: one bad file among good ones → the whole request refused, naming the part', async () => {
    const problem = expectProblem(
      await form({ toe: 'credit-scoring', model: MODEL }, [
        { name: 'run_raw.json', bytes: mlflowRun },
        { name: 'broken.json', bytes: Buffer.from('{"metrics": [') },
      ]),
      400,
      'file[1]',
    );
    expect(problem.file).toBe('broken.json');
  });

  it('multipart: an unknown-format file → 415 naming the part', async () => {
    expectProblem(
      await form({ toe: 'credit-scoring', model: MODEL }, [{ name: 'x.json', bytes: Buffer.from('{"a": 1}') }]),
      415,
      'file[0]',
    );
  });

  it('multipart: files together over the limit → 413', async () => {
    const half = Buffer.alloc(LIMIT / 2 + 10, 0x20);
    expectProblem(
      await form({ toe: 't', model: MODEL }, [
        { name: 'a.json', bytes: half },
        { name: 'b.json', bytes: half },
      ]),
      413,
      'file[1]',
    );
  });

  it('multipart: one file over the limit → 413', async () => {
    expectProblem(
      await form({ toe: 't', model: MODEL }, [{ name: 'a.json', bytes: Buffer.alloc(LIMIT + 1, 0x20) }]),
      413,
      'file[0]',
    );
  });

  it('multipart: no toe → 400 naming toe; no file → 400 naming file; unknown field → 400 naming it', async () => {
    expectProblem(await form({ model: MODEL }, [{ name: 'run.json', bytes: mlflowRun }]), 400, 'toe');
    expectProblem(await form({ toe: 't', model: MODEL }, []), 400, 'file');
    expectProblem(await form({ toe: 't', colour: 'red' }, [{ name: 'run.json', bytes: mlflowRun }]), 400, 'colour');
    expectProblem(await form({ toe: 't' }, [{ name: 'run.json', bytes: mlflowRun, field: 'upload' }]), 400, 'upload');
    expectProblem(
      await form({ toe: 't', format: 'tensorboard' }, [{ name: 'run.json', bytes: mlflowRun }]),
      400,
      'format',
    );
  });

  it('multipart: a truncated body → 400', async () => {
    const body = await multipart({ toe: 't', model: MODEL }, [{ name: 'run.json', bytes: mlflowRun }]);
    const truncated = body.payload.subarray(0, body.payload.length - 200);
    expectProblem(
      await fixture.app.inject({
        method: 'POST',
        url: '/v1/evidence',
        headers: { ...auth, ...body.headers },
        payload: truncated,
      }),
      400,
      'body',
    );
  });

  it('after all of that, a good upload is accepted', async () => {
    const response = await raw(mlflowRun);
    expect(response.statusCode, response.body).toBe(201);
    await unchanged.accept();
  });
});
