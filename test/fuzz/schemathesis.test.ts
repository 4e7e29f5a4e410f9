// schemathesis (PyPI, pinned in packages/testing/src/python-tools.ts) against each service's OpenAPI document, on the
// platform listening on ports: once with a bearer token of a role the operations allow and once without. Its checks
// must pass for every operation: no 5xx, status codes, content types and bodies as documented.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonTool, type PythonVenv } from '@cabc/testing/python';
import { certifyToe, type ServiceKey } from '../../apps/platform/src/index.ts';
import { startTestPlatform } from '../../apps/platform/test/platform-fixture.ts';

const run = promisify(execFile);
const CHECKS = 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance';
/** Examples per operation and phase: enough to reach every documented answer, small enough for the suite's budget. */
const MAX_EXAMPLES = Number(process.env.SCHEMATHESIS_MAX_EXAMPLES ?? 10);
/**
 * The coverage phase (boundary and negative values of every parameter, ~10× the cases) passes too but takes minutes;
 * the suite runs examples and fuzzing, SCHEMATHESIS_PHASES=examples,coverage,fuzzing runs it all (docs/operations.md).
 */
const PHASES = process.env.SCHEMATHESIS_PHASES ?? 'examples,fuzzing';
/** The event stream never ends by itself: schemathesis reads its events until this timeout, which then ends the case. */
const STREAM_PATHS = '^/v1/events$';

const roleFor: Record<ServiceKey, 'pipeline' | 'auditor' | 'certification_body'> = {
  collector: 'pipeline',
  assessment: 'auditor',
  certificationBody: 'certification_body',
};

describe('schemathesis against each service’s OpenAPI document', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let venv: PythonVenv;
  beforeAll(async () => {
    venv = await ensurePythonTool('schemathesis');
    platform = await startTestPlatform({ logLevel: 'silent' });
    await certifyToe(platform, { org: 'acme', name: 'credit-scoring' });
  }, 600_000);
  afterAll(async () => {
    await platform?.dispose();
  });

  async function schemathesis(service: ServiceKey, headers: string[], streams: boolean) {
    const args = [
      'run',
      `${platform.urls[service]}/openapi.json`,
      '--checks',
      CHECKS,
      '--max-examples',
      String(headers.length > 0 ? MAX_EXAMPLES : 2),
      // Without a token every operation but the public ones answers 401 at once: a few cases each are enough.
      '--phases',
      headers.length > 0 ? PHASES : 'fuzzing',
      '--seed',
      '20261211',
      // One worker: Python 3.11's ast.parse is not thread-safe, and hypothesis calls it while describing strategies.
      '--workers',
      '1',
      '--request-timeout',
      streams ? '2' : '30',
      streams ? '--include-path-regex' : '--exclude-path-regex',
      STREAM_PATHS,
      '--no-color',
      '--suppress-health-check',
      'all',
      '--warnings',
      'off',
      ...headers.flatMap((header) => ['-H', header]),
    ];
    const result = await run(`${venv.bin}/schemathesis`, args, {
      maxBuffer: 64 * 1024 * 1024,
      // schemathesis keeps a cache folder (.schemathesis) where it runs: not in the checkout.
      cwd: tmpdir(),
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        stdout: `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      }),
    );
    const summary = result.stdout.split('\n').filter((line) => /generated|passed|failed|error/i.test(line));
    const what = `${service} ${headers.length > 0 ? 'authenticated' : 'unauthenticated'}${streams ? ' (event streams)' : ''}`;
    console.log(`schemathesis ${what}: ${summary.slice(-2).join(' / ').trim()}`);
    return result;
  }

  it.each(['collector', 'assessment', 'certificationBody'] as const)(
    '%s: every operation passes, with and without a bearer token',
    async (service) => {
      const token = await platform.token(roleFor[service], 'acme');
      for (const headers of [[`Authorization: Bearer ${token}`], []]) {
        const result = await schemathesis(service, headers, false);
        expect(result.code, result.stdout.slice(-20_000)).toBe(0);
      }
      if (service === 'assessment') {
        const result = await schemathesis(service, [`Authorization: Bearer ${token}`], true);
        expect(result.code, result.stdout.slice(-20_000)).toBe(0);
      }
    },
    600_000,
  );
});
