import { sql, type Kysely } from 'kysely';
import type { Posture, RequirementStatus } from '@cabc/contracts';
import { toAccepted, type AcceptedEvidence } from '../evidence/evidence.repository.ts';

/** Read-only queries for the dashboard, the live feed and the reports. Only this file touches the database. */

export interface ToeSummaryRow {
  id: string;
  org: string;
  name: string;
  riskClass: string;
  owner: string;
  createdAt: Date;
  posture: Posture | null;
  postureSequence: number;
  postureUpdatedAt: Date | null;
  lastObservedAt: Date | null;
  inForceVersion: number | null;
  latestVersion: number | null;
  latestState: string | null;
}

/** Accepted evidence as the reports read it (the predicate's fields are read by name). */
export type EvidenceRow = Omit<AcceptedEvidence, 'predicate' | 'logIndex'> & { predicate: Record<string, any> };

export interface ResultRow {
  id: number;
  requirementId: string;
  status: RequirementStatus;
  reason: string;
  details: unknown;
  evidenceIds: string[];
  evaluatedAt: Date;
}

export interface SeriesFilter {
  toe: string;
  kind: string;
  metric: string;
  dataset?: string | undefined;
  split?: string | undefined;
  slice?: string | undefined;
  from: Date;
  to: Date;
}

export interface SeriesPoint {
  at: Date;
  value: number;
  evidenceId: string;
}

export interface LiveRow {
  toe: string;
  org: string;
  posture: Posture | null;
  sequence: number;
  assessmentId: string | null;
  updatedAt: Date | null;
  lastResultId: number | null;
}

/** Evidence columns the reports read: all but the envelope itself (selected as '' for the row shape). */
const evidenceColumns = [
  'id',
  'sequence',
  'envelope_sha256',
  'statement_sha256',
  'toe',
  'kind',
  'keyid',
  'subjects',
  'predicate',
  'observed_at',
  'received_at',
  'receipt',
] as const;

const evidenceRow = (row: any): EvidenceRow => ({ ...toAccepted(row), sequence: Number(row.sequence) }) as EvidenceRow;

const resultRow = (row: any): ResultRow => ({
  id: Number(row.id),
  requirementId: row.requirement_id,
  status: row.status,
  reason: row.reason,
  details: row.details,
  evidenceIds: row.evidence_ids,
  evaluatedAt: row.evaluated_at,
});

const filterSql = (filter: Pick<SeriesFilter, 'dataset' | 'split' | 'slice'>) =>
  sql.join(
    [
      filter.dataset === undefined ? sql`true` : sql`dataset = ${filter.dataset}`,
      filter.split === undefined ? sql`true` : sql`split = ${filter.split}`,
      filter.slice === undefined ? sql`true` : sql`slice = ${filter.slice}`,
    ],
    sql` and `,
  );

export function createReportingRepository(db: Kysely<any>) {
  return {
    /** A page of an organization's ToEs (creation order) with posture, newest evidence time and scope versions. */
    async toeSummaries(org: string, page: { limit: number; after?: { createdAt: string; id: string } | undefined }) {
      const after = page.after;
      const { rows } = await sql<any>`
        select t.id, t.org, t.name, t.risk_class, t.owner, t.created_at,
               p.posture, coalesce(p.sequence, 0) as posture_sequence, p.updated_at as posture_updated_at,
               (select max(e.observed_at) from evidence e where e.toe = t.id) as last_observed_at,
               (select max(s.version) from scope_versions s where s.toe_id = t.id and s.state = 'approved') as in_force_version,
               latest.version as latest_version, latest.state as latest_state
        from toes t
        left join postures p on p.toe = t.id
        left join lateral (
          select s.version, s.state from scope_versions s where s.toe_id = t.id order by s.version desc limit 1
        ) latest on true
        where t.org = ${org}
          ${after ? sql`and (t.created_at, t.id) > (${new Date(after.createdAt)}, ${after.id})` : sql``}
        order by t.created_at, t.id
        limit ${page.limit + 1}`.execute(db);
      const items: ToeSummaryRow[] = rows.slice(0, page.limit).map((row) => ({
        id: row.id,
        org: row.org,
        name: row.name,
        riskClass: row.risk_class,
        owner: row.owner,
        createdAt: row.created_at,
        posture: row.posture ?? null,
        postureSequence: Number(row.posture_sequence),
        postureUpdatedAt: row.posture_updated_at ?? null,
        lastObservedAt: row.last_observed_at ?? null,
        inForceVersion: row.in_force_version === null ? null : Number(row.in_force_version),
        latestVersion: row.latest_version === null ? null : Number(row.latest_version),
        latestState: row.latest_state ?? null,
      }));
      return { items, more: rows.length > page.limit };
    },

    /** The newest result of every requirement of the given ToEs. */
    async latestResultsOf(toes: readonly string[]): Promise<Map<string, ResultRow[]>> {
      const byToe = new Map<string, ResultRow[]>();
      if (toes.length === 0) return byToe;
      const { rows } = await sql<any>`
        select distinct on (toe, requirement_id) *
        from requirement_results where toe = any(${[...toes]}::text[])
        order by toe, requirement_id, id desc`.execute(db);
      for (const row of rows) {
        const list = byToe.get(row.toe) ?? [];
        list.push(resultRow(row));
        byToe.set(row.toe, list);
      }
      return byToe;
    },

    /** Evidence of a ToE, newest first (ledger sequence), keyset-paginated. */
    async evidencePage(
      toe: string,
      page: { limit: number; beforeSequence?: number | undefined; kind?: string | undefined },
    ) {
      let query = db.selectFrom('evidence').selectAll().where('toe', '=', toe);
      if (page.kind) query = query.where('kind', '=', page.kind);
      if (page.beforeSequence !== undefined) query = query.where('sequence', '<', page.beforeSequence);
      const rows = await query
        .orderBy('sequence', 'desc')
        .limit(page.limit + 1)
        .execute();
      return { items: rows.slice(0, page.limit).map(evidenceRow), more: rows.length > page.limit };
    },

    async evidence(toe: string, id: string): Promise<EvidenceRow | undefined> {
      const row = await db
        .selectFrom('evidence')
        .selectAll()
        .where('toe', '=', toe)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? evidenceRow(row) : undefined;
    },

    /** Evidence observed in [from, to), oldest first, at most `limit` (+1 to tell that there is more). */
    async evidenceInWindow(toe: string, from: Date, to: Date, limit: number): Promise<EvidenceRow[]> {
      const rows = await db
        .selectFrom('evidence')
        .select(evidenceColumns)
        .select(sql<string>`''`.as('envelope'))
        .where('toe', '=', toe)
        .where('observed_at', '>=', from)
        .where('observed_at', '<', to)
        .orderBy('observed_at')
        .orderBy('sequence')
        .limit(limit + 1)
        .execute();
      return rows.map(evidenceRow);
    },

    /** Evidence received in [from, to), oldest first, at most `limit` (+1 to tell that there is more), envelopes left out. */
    async evidenceReceivedIn(toe: string, from: Date, to: Date, limit: number): Promise<EvidenceRow[]> {
      const rows = await db
        .selectFrom('evidence')
        .select(evidenceColumns)
        .select(sql<string>`''`.as('envelope'))
        .where('toe', '=', toe)
        .where('received_at', '>=', from)
        .where('received_at', '<', to)
        .orderBy('sequence')
        .limit(limit + 1)
        .execute();
      return rows.map(evidenceRow);
    },

    async countEvidenceInWindow(toe: string, from: Date, to: Date): Promise<number> {
      const row = await db
        .selectFrom('evidence')
        .select(sql<number>`count(*)`.as('count'))
        .where('toe', '=', toe)
        .where('observed_at', '>=', from)
        .where('observed_at', '<', to)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    /** A ToE's requirement results, newest first; `changesOnly` keeps a result only when its status differs from the one before. */
    async resultHistory(
      toe: string,
      options: {
        requirementId?: string | undefined;
        changesOnly: boolean;
        beforeId?: number | undefined;
        limit: number;
        from?: Date;
        to?: Date;
      },
    ) {
      const { rows } = await sql<any>`
        select * from (
          select r.*, lag(r.status) over (partition by r.requirement_id order by r.id) as previous_status
          from requirement_results r
          where r.toe = ${toe}
            ${options.requirementId !== undefined ? sql`and r.requirement_id = ${options.requirementId}` : sql``}
        ) h
        where true
          ${options.changesOnly ? sql`and (h.previous_status is null or h.previous_status <> h.status)` : sql``}
          ${options.beforeId !== undefined ? sql`and h.id < ${options.beforeId}` : sql``}
          ${options.from ? sql`and h.evaluated_at >= ${options.from}` : sql``}
          ${options.to ? sql`and h.evaluated_at < ${options.to}` : sql``}
        order by h.id desc
        limit ${options.limit + 1}`.execute(db);
      const items = rows.slice(0, options.limit).map((row) => ({
        ...resultRow(row),
        previousStatus: (row.previous_status ?? null) as RequirementStatus | null,
      }));
      return { items, more: rows.length > options.limit };
    },

    /** The measurements a ToE has reported (kind, name and context), with how many points each has. */
    async measuredSeries(toe: string) {
      const { rows } = await sql<any>`
        select kind, name, dataset, split, slice, count(*) as points, min(observed_at) as first_at, max(observed_at) as last_at
        from evidence_measurements where toe = ${toe}
        group by kind, name, dataset, split, slice
        order by kind, name, dataset nulls first, split nulls first, slice nulls first
        limit 500`.execute(db);
      return rows.map((row) => ({
        kind: row.kind as string,
        metric: row.name as string,
        dataset: (row.dataset ?? null) as string | null,
        split: (row.split ?? null) as string | null,
        slice: (row.slice ?? null) as string | null,
        points: Number(row.points),
        firstAt: row.first_at as Date,
        lastAt: row.last_at as Date,
      }));
    },

    /** First and last observation time of a series (its default chart window). */
    async seriesRange(filter: Omit<SeriesFilter, 'from' | 'to'>): Promise<{ first: Date; last: Date } | undefined> {
      const { rows } = await sql<any>`
        select min(observed_at) as first, max(observed_at) as last from evidence_measurements
        where toe = ${filter.toe} and kind = ${filter.kind} and name = ${filter.metric} and ${filterSql(filter)}`.execute(
        db,
      );
      const row = rows[0];
      return row?.first ? { first: row.first, last: row.last } : undefined;
    },

    async countSeries(filter: SeriesFilter): Promise<number> {
      const { rows } = await sql<any>`
        select count(*) as count from evidence_measurements
        where toe = ${filter.toe} and kind = ${filter.kind} and name = ${filter.metric}
          and observed_at >= ${filter.from} and observed_at < ${filter.to} and ${filterSql(filter)}`.execute(db);
      return Number(rows[0]?.count ?? 0);
    },

    /** Every point of a series in the window, oldest first. */
    async series(filter: SeriesFilter): Promise<SeriesPoint[]> {
      const { rows } = await sql<any>`
        select observed_at, value, evidence_id from evidence_measurements
        where toe = ${filter.toe} and kind = ${filter.kind} and name = ${filter.metric}
          and observed_at >= ${filter.from} and observed_at < ${filter.to} and ${filterSql(filter)}
        order by observed_at, evidence_id, ordinal`.execute(db);
      return rows.map((row) => ({ at: row.observed_at, value: Number(row.value), evidenceId: row.evidence_id }));
    },

    /**
     * The series reduced to at most 4 points per time bucket: the first, the lowest, the highest and the last (M4).
     * A line through them looks the same as the line through every point at the chart's width, and no dip below
     * (or peak above) a threshold disappears. Each point keeps the id of the evidence it came from.
     */
    async downsampledSeries(filter: SeriesFilter, buckets: number): Promise<SeriesPoint[]> {
      const fromMs = filter.from.getTime();
      const width = Math.max(1, (filter.to.getTime() - fromMs) / buckets);
      const { rows } = await sql<any>`
        with points as (
          select observed_at, value, evidence_id,
                 floor((extract(epoch from observed_at) * 1000 - ${fromMs}::double precision) / ${width}::double precision)::int as bucket
          from evidence_measurements
          where toe = ${filter.toe} and kind = ${filter.kind} and name = ${filter.metric}
            and observed_at >= ${filter.from} and observed_at < ${filter.to} and ${filterSql(filter)}
        ), ranked as (
          select *, row_number() over (partition by bucket order by observed_at, evidence_id) as first_rank,
                    row_number() over (partition by bucket order by observed_at desc, evidence_id desc) as last_rank,
                    row_number() over (partition by bucket order by value, observed_at) as low_rank,
                    row_number() over (partition by bucket order by value desc, observed_at) as high_rank
          from points
        )
        select distinct on (observed_at, evidence_id, value) observed_at, value, evidence_id
        from ranked where first_rank = 1 or last_rank = 1 or low_rank = 1 or high_rank = 1
        order by observed_at, evidence_id, value`.execute(db);
      return rows.map((row) => ({ at: row.observed_at, value: Number(row.value), evidenceId: row.evidence_id }));
    },

    /** Posture and newest result id of every ToE of the given organizations: what the live feed compares. */
    async liveState(orgs: readonly string[]): Promise<LiveRow[]> {
      if (orgs.length === 0) return [];
      const { rows } = await sql<any>`
        select t.id as toe, t.org, p.posture, coalesce(p.sequence, 0) as sequence, p.assessment_id, p.updated_at,
               (select max(r.id) from requirement_results r where r.toe = t.id) as last_result_id
        from toes t left join postures p on p.toe = t.id
        where t.org = any(${[...orgs]}::text[])`.execute(db);
      return rows.map((row) => ({
        toe: row.toe,
        org: row.org,
        posture: row.posture ?? null,
        sequence: Number(row.sequence),
        assessmentId: row.assessment_id ?? null,
        updatedAt: row.updated_at ?? null,
        lastResultId: row.last_result_id === null ? null : Number(row.last_result_id),
      }));
    },

    /** Collector keys named by every scope version that was ever submitted or approved for the ToE. */
    async scopeCollectorKeys(toe: string): Promise<{ version: number; state: string; keys: unknown[] }[]> {
      const rows = await db
        .selectFrom('scope_versions')
        .select(['version', 'state', 'document'])
        .where('toe_id', '=', toe)
        .where('state', 'in', ['submitted', 'changes_requested', 'approved', 'superseded', 'rejected'])
        .orderBy('version')
        .execute();
      return rows.map((row: any) => ({
        version: row.version,
        state: row.state,
        keys: row.document?.collectorKeys ?? [],
      }));
    },

    /** Audit events of one ToE in a window, oldest first. */
    async auditEvents(org: string, toe: string, from: Date, to: Date, limit: number) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('org', '=', org)
        .where('toe_id', '=', toe)
        .where('at', '>=', from)
        .where('at', '<', to)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row: any) => ({
        id: Number(row.id),
        actor: row.actor as string,
        role: row.role as string,
        action: row.action as string,
        entity: row.entity as string,
        comment: (row.comment ?? null) as string | null,
        at: row.at as Date,
      }));
    },
  };
}

export type ReportingRepository = ReturnType<typeof createReportingRepository>;
