import { z } from 'zod';
import { evidenceKindSchema } from '@cabc/contracts';

/**
 * The per-ToE state the detectors learn from, serializable as JSON (a jsonb column) and updated in place by
 * `observeEvidence` in O(window) per evidence. Lists, not objects keyed by evidence-controlled strings, so that no
 * subject name or key id can collide with an object's own properties. Times are epoch milliseconds.
 */
export const STATE_SCHEMA_VERSION = 1;

const count = z.number().int().nonnegative();
const time = z.number();
const nullableId = z.string().nullable();

const cusumTrackSchema = z.strictObject({
  up: z.number(),
  upStart: nullableId,
  upLength: count,
  down: z.number(),
  downStart: nullableId,
  downLength: count,
});

/**
 * A window statistic is recomputed once `age` values were added to its window since it was computed, so a
 * baseline lags the newest evidence by at most `refreshEvery` values (docs/anomalies.md#baselines).
 */
const cachedMedianSchema = z.strictObject({ age: count, value: z.number() }).nullable();
const cachedProfileSchema = z.strictObject({ age: count, center: z.number(), scale: z.number() }).nullable();
const pairSchema = z.tuple([z.number(), z.number()]).nullable();
const baselineSchema = z
  .strictObject({
    age: count,
    /** Per metric [median, robust scale], null with too few values or all equal. */
    profiles: z.array(pairSchema),
    /** Per metric [winsorized mean, winsorized deviation]. */
    moments: z.array(pairSchema),
    /** Correlation of the metrics' clipped z-scores, lower triangle row by row: (1,0), (2,0), (2,1), (3,0)… */
    correlation: z.array(z.number()),
  })
  .nullable();

const cadenceSchema = z.strictObject({
  lastObservedAt: time.nullable(),
  intervals: z.array(z.number()),
  usual: cachedMedianSchema,
  /** Consecutive intervals shorter than the burst limit, up to the newest. */
  shortRun: count,
  rhythm: cusumTrackSchema,
});

const seriesSchema = z.strictObject({
  key: z.string(),
  kind: evidenceKindSchema,
  metrics: z.array(z.string()),
  /** One column of values per metric, oldest first, aligned with rowIds. */
  columns: z.array(z.array(z.number().nullable())),
  rowIds: z.array(z.string()),
  baseline: baselineSchema,
  cusum: z.array(cusumTrackSchema),
  cadence: cadenceSchema,
});

/** [evidence id, measurement hash, pipeline run or null, subjects hash, raw digest or null, observedAt]: compact. */
const fingerprintSchema = z.tuple([z.string(), z.number(), nullableId, z.number(), nullableId, time]);

const kindSchema = z.strictObject({
  kind: evidenceKindSchema,
  count,
  tools: z.array(z.string()),
  submitters: z.array(z.string()),
  keys: z.array(z.string()),
  lastScopeVersion: z.number().nullable(),
  /** `count` when the scope version last changed: a new key soon after is a key rotation. */
  versionSince: count,
  fingerprints: z.array(fingerprintSchema),
  deadline: z.strictObject({
    lastObservedAt: time.nullable(),
    lastEffectiveAt: time.nullable(),
    intervals: z.array(z.number()),
    usual: cachedMedianSchema,
    /** The last evidence of the kind, oldest first: its id when it came just in time for its deadline, else null. */
    hits: z.array(nullableId),
    alarmed: z.boolean(),
  }),
});

const keySchema = z.strictObject({
  keyId: z.string(),
  /** ln of the lag in seconds between observation and ledger append, oldest first. */
  lags: z.array(z.number()),
  usual: cachedProfileSchema,
  maxObservedAt: time.nullable(),
  /** The evidence with that newest observation time. */
  maxObservedId: nullableId,
});

const modelSchema = z.strictObject({
  /** The subject name; its digest is the artifact in use once `stable` evidence in a row carried it. */
  name: z.string(),
  digest: z.string(),
  stable: count,
  version: z.number(),
  lastId: z.string(),
});

const runFactSchema = z.strictObject({ evidenceId: z.string(), kind: evidenceKindSchema, summary: z.string() });
const runSchema = z.strictObject({
  run: z.string(),
  improvement: runFactSchema.extend({ z: z.number() }).nullable(),
  dataChanges: z.array(runFactSchema.extend({ z: z.number() })),
  reported: z.boolean(),
});

export const anomalyStateSchema = z.strictObject({
  schema: z.literal(STATE_SCHEMA_VERSION),
  series: z.array(seriesSchema),
  kinds: z.array(kindSchema),
  keys: z.array(keySchema),
  models: z.array(modelSchema),
  runs: z.array(runSchema),
  recentIds: z.array(z.string()),
});

export type AnomalyState = z.infer<typeof anomalyStateSchema>;
export type SeriesState = AnomalyState['series'][number];
export type CusumTrack = z.infer<typeof cusumTrackSchema>;
export type KindState = AnomalyState['kinds'][number];
export type KeyState = AnomalyState['keys'][number];
export type ModelState = AnomalyState['models'][number];
export type RunState = AnomalyState['runs'][number];
export type Fingerprint = z.infer<typeof fingerprintSchema>;
export type Baseline = NonNullable<z.infer<typeof baselineSchema>>;
export type CachedMedian = z.infer<typeof cachedMedianSchema>;
export type CachedProfile = z.infer<typeof cachedProfileSchema>;

export function emptyState(): AnomalyState {
  return { schema: STATE_SCHEMA_VERSION, series: [], kinds: [], keys: [], models: [], runs: [], recentIds: [] };
}

export function emptyCusumTrack(): CusumTrack {
  return {
    up: 0,
    upStart: null,
    upLength: 0,
    down: 0,
    downStart: null,
    downLength: 0,
  };
}

/**
 * The state read back from its JSON column. A state of another schema version (an older release) starts afresh:
 * it is derived data, and replaying the ToE's ledger (`replay`) rebuilds it exactly. Anything else malformed is an
 * error, since only this package writes the column.
 */
export function restoreState(json: unknown): AnomalyState {
  if (typeof json === 'object' && json !== null && (json as { schema?: unknown }).schema !== STATE_SCHEMA_VERSION) {
    return emptyState();
  }
  return anomalyStateSchema.parse(json);
}
