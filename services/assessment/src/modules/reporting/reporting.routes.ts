import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { allowRoles, principalOf, roles, type Principal } from '@cabc/auth';
import { toOscalAssessmentResults } from '@cabc/oscal';
import {
  decodeCursor,
  encodeCursor,
  HttpProblem,
  NotFoundProblem,
  pageQuerySchema,
  pageSchema,
  problemResponses,
  UnprocessableProblem,
  type Server,
} from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import type { EvaluationRepository } from '../evaluation/evaluation.repository.ts';
import type { InForceScopes } from '../evaluation/in-force-scope.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import { toeParamsSchema } from '../toes/toes.schemas.ts';
import type { ToeView } from '../toes/toes.schemas.ts';
import { renderAuditReportHtml } from './audit-report.ts';
import { evidenceFields } from './evidence-fields.ts';
import type { EvidenceVerifier } from './evidence-verification.ts';
import type { LiveEvent, LiveFeed } from './live-feed.ts';
import type { PdfRenderer } from './pdf-renderer.ts';
import type { ReportDataBuilder } from './report-data.ts';
import { reportWindow, reportWindowQuerySchema, REPORT_LIMITS } from './report-window.ts';
import type { EvidenceRow, ReportingRepository } from './reporting.repository.ts';
import {
  evidenceItemSchema,
  evidenceQuerySchema,
  metricsCatalogSchema,
  resultItemSchema,
  resultsQuerySchema,
  seriesQuerySchema,
  seriesSchema,
  sessionSchema,
  toeSummarySchema,
} from './reporting.schemas.ts';
import { sameSelector, thresholdsOf, type SeriesSelector } from './series.ts';

export interface ReportingRouteDeps {
  repository: ReportingRepository;
  toes: ToesRepository;
  evaluations: EvaluationRepository;
  inForce: InForceScopes;
  verifier: EvidenceVerifier;
  live: LiveFeed;
  reports: ReportDataBuilder;
  pdf: PdfRenderer;
  now: () => Date;
}

const tags = ['reporting'];
const security = [{ bearer: [] }];
const evidenceParams = toeParamsSchema.extend({ evidenceId: z.uuid() });

/** Evidence paths in the envelope/OSCAL links are relative to the service's own base URL. */
const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/** Event streams one caller may hold open at once, and the service in all. */
const MAX_STREAMS_PER_SUBJECT = 8;
const MAX_STREAMS = 1_000;

export function registerReportingRoutes(app: Server, deps: ReportingRouteDeps): void {
  /** Open event streams, ended when the service closes (they would otherwise keep it from closing). */
  const streams = new Set<() => void>();
  const streamsBySubject = new Map<string, number>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  /** The ToE when the caller's organization owns it; "not found" for every other (it might as well not exist). */
  async function toeOf(principal: Principal, toeId: string): Promise<ToeView> {
    const toe = await deps.toes.findInOrg(toeId, principal.org);
    if (!toe) throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
    return toe;
  }

  async function evidenceItem(row: EvidenceRow) {
    const fields = evidenceFields(row);
    const { logIndex, measurements, checks } = fields;
    const raw = fields.raw as { digest?: { sha256?: string } } | null;
    return {
      ...fields,
      context: row.predicate?.context ?? null,
      measurements: measurements.slice(0, 20),
      measurementCount: measurements.length,
      checks: checks.slice(0, 20),
      checkCount: checks.length,
      subjects: row.subjects,
      verification: await deps.verifier.verify(row),
      links: {
        envelope: `/v1/toes/${encodeURIComponent(row.toe)}/evidence/${row.id}/envelope`,
        evidence: `/v1/toes/${encodeURIComponent(row.toe)}/evidence/${row.id}`,
        inclusionProof: logIndex === null ? null : `/v1/ledger/proofs/inclusion?evidenceId=${row.id}`,
        raw: raw?.digest?.sha256 ? `/v1/raw/${raw.digest.sha256}` : null,
      },
    };
  }

  app.get(
    '/v1/session',
    {
      config: allowRoles(...roles),
      schema: {
        tags,
        security,
        summary: 'Who the bearer token speaks for (the dashboard’s sign-in check)',
        response: { 200: sessionSchema, ...problemResponses(401) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return { subject: principal.subject, org: principal.org, role: principal.role };
    },
  );

  app.get(
    '/v1/overview',
    {
      config: allowedTo('posture:read'),
      schema: {
        tags,
        security,
        summary:
          "Every ToE of the caller's organization with its posture, requirement counts, newest evidence and scope state",
        querystring: pageQuerySchema,
        response: { 200: pageSchema(toeSummarySchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = authorize(request, 'posture:read');
      const after = decodeCursor(request.query.cursor, z.object({ createdAt: z.string(), id: z.string() }));
      const page = await deps.repository.toeSummaries(principal.org, { limit: request.query.limit, after });
      const ids = page.items.map((item) => item.id);
      const [latest, scopes] = await Promise.all([
        deps.repository.latestResultsOf(ids),
        Promise.all(ids.map((id) => deps.inForce.of(id))),
      ]);
      const items = page.items.map((item, index) => {
        const requirements = scopes[index]?.requirements ?? [];
        const results = new Map((latest.get(item.id) ?? []).map((row) => [row.requirementId, row.status]));
        const counts = { total: requirements.length, compliant: 0, non_compliant: 0, pending: 0, error: 0 };
        for (const { requirement } of requirements) counts[results.get(requirement.id) ?? 'pending'] += 1;
        return {
          id: item.id,
          name: item.name,
          riskClass: item.riskClass,
          owner: item.owner,
          createdAt: item.createdAt.toISOString(),
          posture: item.posture ?? 'pending',
          postureSequence: item.postureSequence,
          postureUpdatedAt: item.postureUpdatedAt?.toISOString() ?? null,
          lastObservedAt: item.lastObservedAt?.toISOString() ?? null,
          scope: {
            inForceVersion: item.inForceVersion,
            latestVersion: item.latestVersion,
            latestState: item.latestState,
          },
          requirements: counts,
        };
      });
      const last = page.items.at(-1);
      return {
        items,
        nextCursor: page.more && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
      };
    },
  );

  app.get(
    '/v1/toes/:toeId/evidence',
    {
      config: allowedTo('evidence:read'),
      schema: {
        tags,
        security,
        summary:
          "A ToE's evidence, newest first, each checked again now (envelope digest, DSSE signature, receipt) with links to the exact envelope",
        params: toeParamsSchema,
        querystring: evidenceQuerySchema,
        response: { 200: pageSchema(evidenceItemSchema), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const principal = authorize(request, 'evidence:read');
      const toe = await toeOf(principal, request.params.toeId);
      const position = decodeCursor(request.query.cursor, z.object({ sequence: z.number().int() }));
      const page = await deps.repository.evidencePage(toe.id, {
        limit: request.query.limit,
        beforeSequence: position?.sequence,
        kind: request.query.kind,
      });
      const last = page.items.at(-1);
      return {
        items: await Promise.all(page.items.map(evidenceItem)),
        nextCursor: page.more && last ? encodeCursor({ sequence: last.sequence }) : null,
      };
    },
  );

  app.get(
    '/v1/toes/:toeId/evidence/:evidenceId',
    {
      config: allowedTo('evidence:read'),
      schema: {
        tags,
        security,
        summary: 'One evidence of the ToE, checked again now, with its receipt and links',
        params: evidenceParams,
        response: {
          200: evidenceItemSchema.extend({ predicate: z.unknown() }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const principal = authorize(request, 'evidence:read');
      const toe = await toeOf(principal, request.params.toeId);
      const row = await deps.repository.evidence(toe.id, request.params.evidenceId);
      if (!row)
        throw new NotFoundProblem(`no evidence ${request.params.evidenceId} for ${toe.id}`, [
          { field: 'path:evidenceId', message: 'no such evidence' },
        ]);
      return { ...(await evidenceItem(row)), predicate: row.predicate };
    },
  );

  app.get(
    '/v1/toes/:toeId/evidence/:evidenceId/envelope',
    {
      config: allowedTo('evidence:read'),
      schema: {
        tags,
        security,
        summary: 'The DSSE envelope exactly as received (its SHA-256 is the envelopeSha256 of the receipt)',
        params: evidenceParams,
        response: { ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const principal = authorize(request, 'evidence:read');
      const toe = await toeOf(principal, request.params.toeId);
      const row = await deps.repository.evidence(toe.id, request.params.evidenceId);
      if (!row)
        throw new NotFoundProblem(`no evidence ${request.params.evidenceId} for ${toe.id}`, [
          { field: 'path:evidenceId', message: 'no such evidence' },
        ]);
      return reply
        .type('application/json')
        .header('digest', `sha-256=${Buffer.from(row.envelopeSha256, 'hex').toString('base64')}`)
        .header('content-disposition', `inline; filename="evidence-${row.sequence}-${row.id}.dsse.json"`)
        .serializer((text: unknown) => String(text))
        .send(row.envelope as never);
    },
  );

  app.get(
    '/v1/toes/:toeId/results',
    {
      config: allowedTo('posture:read'),
      schema: {
        tags,
        security,
        summary: "A ToE's requirement results, newest first: one requirement's history, or only the status changes",
        params: toeParamsSchema,
        querystring: resultsQuerySchema,
        response: { 200: pageSchema(resultItemSchema), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const principal = authorize(request, 'posture:read');
      const toe = await toeOf(principal, request.params.toeId);
      const position = decodeCursor(request.query.cursor, z.object({ id: z.number().int() }));
      const page = await deps.repository.resultHistory(toe.id, {
        requirementId: request.query.requirement,
        changesOnly: request.query.changesOnly,
        beforeId: position?.id,
        limit: request.query.limit,
      });
      const last = page.items.at(-1);
      return {
        items: page.items.map((row) => ({ ...row, evaluatedAt: row.evaluatedAt.toISOString() })),
        nextCursor: page.more && last ? encodeCursor({ id: last.id }) : null,
      };
    },
  );

  app.get(
    '/v1/toes/:toeId/metrics',
    {
      config: allowedTo('posture:read'),
      schema: {
        tags,
        security,
        summary: 'The metrics a ToE reports and the thresholds its approved requirements set on them',
        params: toeParamsSchema,
        response: { 200: metricsCatalogSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const principal = authorize(request, 'posture:read');
      const toe = await toeOf(principal, request.params.toeId);
      const [inForce, measured] = await Promise.all([deps.inForce.of(toe.id), deps.repository.measuredSeries(toe.id)]);
      return {
        thresholds: thresholdsOf((inForce?.requirements ?? []).map((entry) => entry.requirement)),
        measured: measured.map((entry) => ({
          ...entry,
          firstAt: entry.firstAt.toISOString(),
          lastAt: entry.lastAt.toISOString(),
        })),
      };
    },
  );

  app.get(
    '/v1/toes/:toeId/metrics/series',
    {
      config: allowedTo('posture:read'),
      schema: {
        tags,
        security,
        summary:
          "One metric's time series, each point linked to its evidence; large windows are downsampled on the server",
        description:
          'At most `points` points: above that, each of points/4 time buckets keeps its first, lowest, highest and last ' +
          'measurement (M4), so the line looks the same and no threshold violation disappears. Default window: the whole history.',
        params: toeParamsSchema,
        querystring: seriesQuerySchema,
        response: { 200: seriesSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const principal = authorize(request, 'posture:read');
      const toe = await toeOf(principal, request.params.toeId);
      const query = request.query;
      const selector: SeriesSelector = {
        kind: query.kind,
        metric: query.metric,
        ...(query.dataset !== undefined ? { dataset: query.dataset } : {}),
        ...(query.split !== undefined ? { split: query.split } : {}),
        ...(query.slice !== undefined ? { slice: query.slice } : {}),
      };
      const inForce = await deps.inForce.of(toe.id);
      const thresholds = thresholdsOf((inForce?.requirements ?? []).map((entry) => entry.requirement)).filter((line) =>
        sameSelector(line.selector, selector),
      );
      let from = query.from ? new Date(query.from) : undefined;
      let to = query.to ? new Date(query.to) : undefined;
      if (from && to && from.getTime() >= to.getTime()) {
        throw new UnprocessableProblem(
          'series-window-invalid',
          'Invalid window',
          `from (${from.toISOString()}) must be earlier than to (${to.toISOString()})`,
          [{ field: 'query:from', message: 'must be earlier than to' }],
        );
      }
      if (!from || !to) {
        const range = await deps.repository.seriesRange({ toe: toe.id, ...selector });
        from ??= range?.first ?? new Date(0);
        to ??= range ? new Date(range.last.getTime() + 1) : new Date(from.getTime() + 1);
      }
      const filter = { toe: toe.id, ...selector, from, to };
      const total = await deps.repository.countSeries(filter);
      const downsampled = total > query.points;
      const points = downsampled
        ? await deps.repository.downsampledSeries(filter, Math.max(1, Math.floor(query.points / 4)))
        : await deps.repository.series(filter);
      return {
        selector,
        from: from.toISOString(),
        to: to.toISOString(),
        total,
        downsampled,
        points: points.map((point) => ({
          at: point.at.toISOString(),
          value: point.value,
          evidenceId: point.evidenceId,
        })),
        thresholds,
      };
    },
  );

  app.get(
    '/v1/events',
    {
      config: allowedTo('posture:read'),
      schema: {
        tags,
        security,
        summary: "Server-Sent Events: posture changes and new requirement results of the caller's organization",
        description:
          'text/event-stream. Events: `hello` {subject, org, role} once; `posture` {toe, posture, previousPosture, sequence, ' +
          'assessmentId, at}; `evaluated` {toe, lastResultId}; `toe` {toe, change}. A comment line every 15 s keeps proxies ' +
          'from closing the stream. Only changes after the connection are sent: read the current state after `hello`. ' +
          'With `toe`, only that ToE’s events.',
        querystring: z.object({ toe: z.string().max(64).optional() }),
        produces: ['text/event-stream'],
        response: { 200: z.string().describe('the event stream'), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const principal = authorize(request, 'posture:read');
      if (request.query.toe) await toeOf(principal, request.query.toe);
      // Open streams hold a socket and a subscription each: bounded per caller and in all.
      const mine = streamsBySubject.get(principal.subject) ?? 0;
      if (mine >= MAX_STREAMS_PER_SUBJECT || streams.size >= MAX_STREAMS) {
        throw new HttpProblem(
          429,
          'too-many-streams',
          'Too many event streams',
          `at most ${MAX_STREAMS_PER_SUBJECT} open streams per caller and ${MAX_STREAMS} in all`,
        );
      }
      streamsBySubject.set(principal.subject, mine + 1);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      const write = (text: string) => {
        if (!raw.destroyed && !raw.writableEnded) raw.write(text);
      };
      write('retry: 3000\n\n');
      write(
        `event: hello\ndata: ${JSON.stringify({ subject: principal.subject, org: principal.org, role: principal.role })}\n\n`,
      );
      const send = (event: LiveEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      const unsubscribe = await deps.live.subscribe({ org: principal.org, toe: request.query.toe, send });
      const heartbeat = setInterval(() => write(`: keep-alive ${new Date().toISOString()}\n\n`), 15_000);
      heartbeat.unref();
      const end = () => {
        if (!streams.has(end)) return;
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(end);
        const open = (streamsBySubject.get(principal.subject) ?? 1) - 1;
        if (open > 0) streamsBySubject.set(principal.subject, open);
        else streamsBySubject.delete(principal.subject);
        if (!raw.writableEnded) raw.end();
      };
      streams.add(end);
      raw.on('close', end);
    },
  );

  app.get(
    '/v1/toes/:toeId/reports/oscal-ar',
    {
      config: allowedTo('posture:read'),
      schema: {
        tags,
        security,
        summary:
          'OSCAL 1.1.2 assessment results for a window: observations from evidence, findings from requirement results, risks from non-compliance',
        description: `Empty or reversed windows, windows longer than ${REPORT_LIMITS.maxWindowDays} days and windows holding more than ${REPORT_LIMITS.maxEvidence} evidence are 422, naming the limit.`,
        params: toeParamsSchema,
        querystring: reportWindowQuerySchema,
        response: { 200: z.unknown(), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const principal = authorize(request, 'posture:read');
      const toe = await toeOf(principal, request.params.toeId);
      const window = reportWindow(request.query, deps.now());
      const data = await deps.reports.build(toe, window, { org: principal.org }, deps.now());
      const document = toOscalAssessmentResults(data, { base: baseUrlOf(request) });
      return reply
        .header(
          'content-disposition',
          `attachment; filename="${toe.id}-assessment-results-${window.from.toISOString().slice(0, 10)}-${window.to.toISOString().slice(0, 10)}.oscal.json"`,
        )
        .send(document);
    },
  );

  app.get(
    '/v1/toes/:toeId/reports/audit',
    {
      config: allowedTo('posture:read'),
      schema: {
        tags,
        security,
        summary:
          'The audit report for a window as HTML or PDF: posture, requirement results, charts, certificate history, evidence digests, audit trail',
        description: `format=html (default) or pdf. Window limits as for the OSCAL export (${REPORT_LIMITS.maxWindowDays} days, ${REPORT_LIMITS.maxEvidence} evidence).`,
        params: toeParamsSchema,
        querystring: reportWindowQuerySchema.extend({ format: z.enum(['html', 'pdf']).default('html') }),
        produces: ['text/html', 'application/pdf'],
        response: { 200: z.string().describe('the report (HTML or PDF)'), ...problemResponses(400, 401, 403, 404, 422, 503) },
      },
    },
    async (request, reply) => {
      const principal = authorize(request, 'posture:read');
      const toe = await toeOf(principal, request.params.toeId);
      const window = reportWindow(request.query, deps.now());
      const data = await deps.reports.build(toe, window, { org: principal.org }, deps.now());
      const html = renderAuditReportHtml(data, {
        generatedBy: `${principal.subject} (${principal.role}, ${principal.org})`,
        base: baseUrlOf(request),
      });
      const name = `${toe.id}-audit-report-${window.from.toISOString().slice(0, 10)}-${window.to.toISOString().slice(0, 10)}`;
      if (request.query.format === 'pdf') {
        const pdf = await deps.pdf.render(
          html,
          `Audit report · ${toe.name} · ${window.from.toISOString().slice(0, 10)} – ${window.to.toISOString().slice(0, 10)}`,
        );
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${name}.pdf"`)
          .send(pdf as never);
      }
      return reply
        .type('text/html; charset=utf-8')
        .header('content-disposition', `inline; filename="${name}.html"`)
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        .send(html as never);
    },
  );
}
