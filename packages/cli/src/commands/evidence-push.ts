import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, Option, type Command as CommandType } from 'commander';
import { detectFormat, formats, isFormatId, type FormatId } from '@cabc/adapters';

/** What happened to one file. */
export interface PushedFile {
  path: string;
  format: FormatId | null;
  status: 'pushed' | 'rejected' | 'skipped';
  bytes?: number;
  sha256?: string;
  httpStatus?: number;
  submissionId?: string;
  evidence?: {
    id: string;
    kind: string;
    envelopeSha256: string;
    statementSha256: string;
    rawSha256: string | null;
    delivery: string;
  }[];
  /** The collector's problem+json for a rejected file. */
  problem?: { type?: string; title?: string; detail?: string; errors?: { field: string; message: string }[] };
  /** Why a file was skipped or rejected before or without an answer. */
  reason?: string;
}

export interface PushReport {
  ok: boolean;
  collector: string;
  toe: string;
  files: PushedFile[];
  summary: { files: number; pushed: number; rejected: number; skipped: number; evidence: number };
}

interface PushOptions {
  toe: string;
  format?: string;
  model: string[];
  collector: string;
  token?: string;
  json?: boolean;
  runId?: string;
  concurrency: string;
}

interface Candidate {
  path: string;
  /** Named on the command line (an unknown format is then a rejection) rather than found in a directory (skipped). */
  explicit: boolean;
}

const SUBJECT = /^.{1,512}@sha256:[0-9a-fA-F]{64}$/;

/** Code-point order: the same on every machine whatever its locale (and the Python SDK's `sorted`). */
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Files under the arguments: files as given, directories walked (sorted by name, hidden entries left out). */
export function collectFiles(paths: string[]): Candidate[] {
  const found: Candidate[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true }).sort(byName)) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() || (entry.isSymbolicLink() && statSync(full).isFile()))
        found.push({ path: full, explicit: false });
    }
  };
  for (const given of paths) {
    const stats = statSync(given, { throwIfNoEntry: false });
    if (!stats) throw new Error(`${given}: no such file or directory`);
    if (stats.isDirectory()) walk(given);
    else found.push({ path: given, explicit: true });
  }
  return found;
}

function mediaTypeOf(file: string): string {
  const name = path.basename(file);
  if (/\.json$/i.test(name)) return 'application/json';
  if (/\.ya?ml$/i.test(name) || name === 'MLmodel') return 'application/yaml';
  if (/\.md$/i.test(name)) return 'text/markdown';
  return 'application/octet-stream';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where CI systems put the run id, in the order read (the Python SDK reads the same: cabc.RUN_ID_VARIABLES). */
export const runIdVariables = [
  'CABC_RUN_ID',
  'GITHUB_RUN_ID',
  'CI_PIPELINE_ID',
  'BUILDKITE_BUILD_ID',
  'CIRCLE_WORKFLOW_ID',
  'BUILD_BUILDID',
  'BUILD_TAG',
] as const;

/** The CI's run id, so that a retried pipeline step pushes each file once (Idempotency-Key). */
function defaultRunId(): string | undefined {
  return runIdVariables.map((name) => process.env[name]?.trim()).find((value) => value) || undefined;
}

async function upload(
  file: Candidate & { bytes: Buffer; format: FormatId; sha256: string },
  options: { collector: string; toe: string; models: string[]; token: string; idempotencyKey: string },
): Promise<PushedFile> {
  const url = new URL('/v1/evidence', options.collector);
  url.searchParams.set('toe', options.toe);
  url.searchParams.set('format', file.format);
  url.searchParams.set('filename', path.basename(file.path));
  for (const model of options.models) url.searchParams.append('model', model);
  const base: PushedFile = {
    path: file.path,
    format: file.format,
    status: 'rejected',
    bytes: file.bytes.length,
    sha256: file.sha256,
  };
  let lastError = '';
  // Network errors and 5xx/429 are retried with the same Idempotency-Key, so a retry never stores twice.
  for (let attempt = 0; attempt < 4; attempt += 1) {
    if (attempt > 0) await sleep(250 * 2 ** attempt);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': mediaTypeOf(file.path),
          'idempotency-key': options.idempotencyKey,
          accept: 'application/json, application/problem+json',
        },
        body: new Uint8Array(file.bytes),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      lastError =
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      continue;
    }
    const text = await response.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (response.status >= 500 || response.status === 429) {
      lastError = `HTTP ${response.status}${body?.detail ? `: ${body.detail}` : ''}`;
      continue;
    }
    if (response.status === 200 || response.status === 201) {
      const items = (body?.evidence ?? []) as any[];
      return {
        ...base,
        status: 'pushed',
        httpStatus: response.status,
        submissionId: body?.id,
        evidence: items.map((item) => ({
          id: item.id,
          kind: item.kind,
          envelopeSha256: item.envelopeSha256,
          statementSha256: item.statementSha256,
          rawSha256: item.rawSha256,
          delivery: item.delivery?.status,
        })),
      };
    }
    return {
      ...base,
      httpStatus: response.status,
      problem:
        body && typeof body === 'object'
          ? { type: body.type, title: body.title, detail: body.detail, errors: body.errors }
          : { detail: text.slice(0, 500) },
    };
  }
  return { ...base, reason: `the collector did not answer: ${lastError}` };
}

function line(file: PushedFile): string {
  if (file.status === 'pushed') {
    const kinds = (file.evidence ?? []).map((item) => item.kind).join(', ');
    return `✓ ${file.path} (${file.format}) → ${file.evidence?.length ?? 0} evidence: ${kinds}`;
  }
  if (file.status === 'skipped') return `- ${file.path}: skipped, ${file.reason}`;
  const where = file.problem?.errors?.map((error) => error.field).join(', ');
  const why = file.problem
    ? `HTTP ${file.httpStatus} ${file.problem.title ?? ''}: ${file.problem.detail ?? ''}${where ? ` [${where}]` : ''}`
    : file.reason;
  return `✗ ${file.path}${file.format ? ` (${file.format})` : ''}: ${why}`;
}

/** Pushes the files; returns the report (printing is the caller's). */
export async function pushEvidence(
  paths: string[],
  options: {
    toe: string;
    format?: FormatId;
    models: string[];
    collector: string;
    token: string;
    runId?: string;
    concurrency: number;
  },
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<PushReport> {
  const candidates = collectFiles(paths);
  const invocation = options.runId ? `run:${options.runId}` : `invocation:${randomUUID()}`;
  const results: PushedFile[] = new Array(candidates.length);
  const queue = candidates.map((candidate, index) => ({ candidate, index }));
  let done = 0;
  let stopReason: string | undefined;

  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { candidate, index } = next;
      const bytes = readFileSync(candidate.path);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const format = options.format ?? detectFormat({ bytes, filename: path.basename(candidate.path) }) ?? null;
      if (!format) {
        results[index] = candidate.explicit
          ? {
              path: candidate.path,
              format: null,
              status: 'rejected',
              bytes: bytes.length,
              sha256,
              reason: 'no known evidence format detected (name one with --format)',
            }
          : {
              path: candidate.path,
              format: null,
              status: 'skipped',
              bytes: bytes.length,
              sha256,
              reason: 'no known evidence format',
            };
      } else if (stopReason) {
        results[index] = {
          path: candidate.path,
          format,
          status: 'rejected',
          bytes: bytes.length,
          sha256,
          reason: `not sent: ${stopReason}`,
        };
      } else {
        const idempotencyKey = `cabc-cli-${createHash('sha256')
          .update([invocation, options.toe, format, options.models.join(','), sha256].join('\n'))
          .digest('hex')
          .slice(0, 48)}`;
        const result = await upload({ ...candidate, bytes, format, sha256 }, { ...options, idempotencyKey });
        // A token the collector refuses will be refused for every file: stop sending.
        if (result.httpStatus === 401 || result.httpStatus === 403)
          stopReason = `the collector answered HTTP ${result.httpStatus} to an earlier file`;
        results[index] = result;
      }
      done += 1;
      onProgress(done, candidates.length);
    }
  };
  onProgress(0, candidates.length);
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, candidates.length)) }, worker));

  const count = (status: PushedFile['status']) => results.filter((file) => file.status === status).length;
  const summary = {
    files: results.length,
    pushed: count('pushed'),
    rejected: count('rejected'),
    skipped: count('skipped'),
    evidence: results.reduce((sum, file) => sum + (file.evidence?.length ?? 0), 0),
  };
  return {
    ok: summary.rejected === 0 && summary.pushed > 0,
    collector: options.collector,
    toe: options.toe,
    files: results,
    summary,
  };
}

/**
 * `cabc evidence push <file|dir>... --toe <id>`: uploads ML tool outputs to the evidence collector, one request per
 * file, the format detected here (files found in a directory whose format is unknown are skipped with a warning;
 * files named explicitly must be evidence). Exits 1 when any file is rejected or nothing was pushed.
 */
export function registerEvidencePushCommand(program: CommandType): void {
  const evidence =
    program.commands.find((command) => command.name() === 'evidence') ??
    program.command('evidence').description('evidence for the collector');
  evidence.addCommand(
    new Command('push')
      .description('push ML tool outputs (files or directories) to the evidence collector')
      .argument('<paths...>', 'files and directories (walked recursively, hidden entries skipped)')
      .requiredOption('--toe <id>', 'the target of evaluation the evidence is for')
      .addOption(new Option('--format <id>', 'skip detection: every file is of this format').choices([...formats]))
      .option(
        '--model <name@sha256:hex>',
        'the model the files are about (repeatable); needed for formats that name no digest',
        (value: string, previous: string[]) => [...previous, value],
        [] as string[],
      )
      .option(
        '--collector <url>',
        'collector base URL (env CABC_COLLECTOR_URL)',
        process.env.CABC_COLLECTOR_URL || 'http://127.0.0.1:8081',
      )
      .option('--token <token>', 'bearer token with role pipeline (env CABC_TOKEN)')
      .option(
        '--run-id <id>',
        `pipeline run id: a re-run with the same id pushes nothing twice (env ${runIdVariables.slice(0, 3).join(', ')}, ...)`,
      )
      .option('--concurrency <n>', 'files uploaded at once', '4')
      .option('--json', 'print one JSON document (the report) instead of text')
      .action(async (paths: string[], options: PushOptions) => {
        const token = options.token || process.env.CABC_TOKEN;
        if (!token)
          throw new Error(
            'a bearer token is required: --token <t> or CABC_TOKEN (e.g. cabc token --role pipeline --org <org>)',
          );
        for (const model of options.model)
          if (!SUBJECT.test(model)) throw new Error(`--model ${model}: expected <name>@sha256:<64 hex digits>`);
        try {
          new URL(options.collector);
        } catch {
          throw new Error(`--collector ${options.collector}: not a URL`);
        }
        const concurrency = Number(options.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
          throw new Error('--concurrency: a whole number from 1 to 32');
        if (options.format !== undefined && !isFormatId(options.format))
          throw new Error(`--format ${options.format}: unknown`);

        const interactive = !options.json && process.stdout.isTTY === true;
        let bar: SingleBar | undefined;
        const report = await pushEvidence(
          paths,
          {
            toe: options.toe,
            ...(options.format ? { format: options.format as FormatId } : {}),
            models: options.model,
            collector: options.collector,
            token,
            ...((options.runId ?? defaultRunId()) ? { runId: (options.runId ?? defaultRunId())! } : {}),
            concurrency,
          },
          (done, total) => {
            if (!interactive || total < 2) return;
            if (!bar) {
              bar = new SingleBar({
                format: 'pushing {bar} {value}/{total} files',
                stream: process.stdout,
                clearOnComplete: true,
                hideCursor: true,
              });
              bar.start(total, done);
            } else {
              bar.update(done);
            }
          },
        );
        bar?.stop();

        if (options.json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        } else {
          for (const file of report.files) {
            if (file.status === 'skipped') process.stderr.write(`warning: ${file.path}: skipped, ${file.reason}\n`);
            else process.stdout.write(`${line(file)}\n`);
          }
          const { summary } = report;
          process.stdout.write(
            `${report.ok ? 'pushed' : 'FAILED:'} ${summary.pushed} of ${summary.files} file(s), ${summary.evidence} evidence, ToE ${report.toe}, collector ${report.collector}` +
              `${summary.rejected ? `; ${summary.rejected} rejected` : ''}${summary.skipped ? `; ${summary.skipped} skipped` : ''}\n`,
          );
          if (summary.files === 0) process.stderr.write('cabc: no files found\n');
        }
        if (!report.ok) process.exitCode = 1;
      }),
  );
}
