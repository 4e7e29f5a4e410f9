import {
  signalKinds,
  type AnomalyEvidence,
  type AnomalyScope,
  type MetricDirection,
  type SignalKind,
} from '@cabc/anomaly';
import type { Check, EvidenceKind, Measurement } from '@cabc/contracts';
import { EVENT_RUNS, type InjectedEvent } from './events.ts';
import {
  dataQualityReport,
  driftReport,
  performanceMeasurements,
  qualityAt,
  qualityNoise,
  type Quality,
} from './measurements.ts';
import { sampleProfile, type ToeProfile } from './profile.ts';
import { seededRandom, type Random } from '@cabc/testing';

const START = Date.UTC(2026, 0, 5);
/** True rates stay off 0 and 1: a metric pinned at its bound has no spread to measure against. */
const bounded = (rate: number) => Math.min(0.985, Math.max(0.3, rate));
const RENEWAL_MS = 90 * 24 * 3_600_000;
type StreamKind = Extract<EvidenceKind, 'performance' | 'drift' | 'data_quality'>;

export interface StreamItem {
  evidence: AnomalyEvidence;
  scope: AnomalyScope;
}

export interface GeneratedStream {
  profile: ToeProfile;
  anomalous: boolean;
  /** In ledger order. */
  items: StreamItem[];
  events: InjectedEvent[];
}

interface Draft {
  id: string;
  kind: StreamKind;
  observedAt: number;
  submittedAt: number;
  runId: string;
  subjects: AnomalyEvidence['subjects'];
  tool: string;
  submitter: { org: string; subject: string; role: 'pipeline' | 'auditee' };
  keyId: string | undefined;
  measurements: Measurement[];
  checks: Check[];
}

interface ScopeVersion {
  version: number;
  approvedAt: number;
  modelDigests: string[];
  keyId: string;
}

/** A labelled evidence stream of one ToE, the same for the same seed and index. */
export function generateStream(
  seed: number,
  index: number,
  anomalous: boolean,
  directions: Record<string, MetricDirection>,
): GeneratedStream {
  const random = seededRandom(seed * 1_000_003 + index * 7919 + (anomalous ? 1 : 0));
  const profile = sampleProfile(random, `toe-${seed}-${index}${anomalous ? 'a' : 'c'}`);
  return new StreamBuilder(profile, random, anomalous, index).build(directions);
}

class StreamBuilder {
  private readonly drafts: Draft[] = [];
  private readonly events: InjectedEvent[] = [];
  private readonly versions: ScopeVersion[];
  private readonly noise: Quality;
  private base: Quality;
  private walk: Quality = { tpr: 0, tnr: 0 };
  private driftRate: number;
  private modelDigest: string;
  private sequence = 0;
  private readonly holdoutDigest: string;
  private readonly referenceDigest: string;
  private readonly spareKey: string;
  private gapUntil = -1;
  private deadline: { remaining: number; event: InjectedEvent } | undefined;
  private lastDataQuality: number | undefined;
  private readonly outages: { from: number; to: number }[] = [];

  private readonly profile: ToeProfile;
  private readonly random: Random;
  private readonly anomalous: boolean;
  private readonly index: number;

  constructor(profile: ToeProfile, random: Random, anomalous: boolean, index: number) {
    this.profile = profile;
    this.random = random;
    this.anomalous = anomalous;
    this.index = index;
    this.noise = qualityNoise(profile);
    this.base = { tpr: profile.performance.tpr, tnr: profile.performance.tnr };
    this.driftRate = profile.drift.columnRate;
    this.modelDigest = random.hex(64);
    this.holdoutDigest = random.hex(64);
    this.referenceDigest = random.hex(64);
    this.spareKey = `key-${profile.toe}-spare`;
    this.versions = [
      { version: 1, approvedAt: START - 86_400_000, modelDigests: [this.modelDigest], keyId: `key-${profile.toe}-1` },
    ];
  }

  build(directions: Record<string, MetricDirection>): GeneratedStream {
    const { profile, random } = this;
    const plan = this.anomalous ? this.eventPlan() : new Map<number, SignalKind>();
    const quiet = (run: number) => [...plan.keys()].every((at) => Math.abs(at - run) > 25);
    const changes = new Map<number, 'retrain' | 'rotation'>();
    for (let count = 0; count < profile.retrains; count += 1) changes.set(random.int(30, profile.runs - 10), 'retrain');
    if (profile.keyRotation) changes.set(random.int(30, profile.runs - 10), 'rotation');
    for (let count = 0; count < profile.outages.count; count += 1) {
      const run = random.int(20, profile.runs - 10);
      if (!quiet(run)) continue;
      const from = START + run * profile.periodMs + random.uniform(0.1, 0.9) * profile.periodMs;
      this.outages.push({ from, to: from + random.uniform(2 * 3_600_000, profile.outages.maxMs) });
    }

    for (let run = 0; run < profile.runs; run += 1) {
      const at = START + run * profile.periodMs + random.normal(0, profile.jitterMs);
      this.walk = {
        tpr: this.walk.tpr + random.normal(0, profile.performance.walkStep * this.noise.tpr),
        tnr: this.walk.tnr + random.normal(0, profile.performance.walkStep * this.noise.tnr),
      };
      const change = changes.get(run);
      if (change && quiet(run)) this.approve(change, at - profile.periodMs / 2);
      this.emitDeadlineEvidence(at);
      const event = plan.get(run);
      if (run < this.gapUntil) continue;
      if (!event && run !== this.gapEvent?.at && random.chance(profile.skipRate)) continue;
      this.produceRun(run, at, event);
      if (!event && quiet(run) && random.chance(profile.rerunRate)) {
        this.produceExtraPerformance(at + profile.periodMs * random.uniform(0.02, 0.7));
      }
    }
    return { profile, anomalous: this.anomalous, items: this.deliver(directions), events: this.events };
  }

  /** Six events, the signal kinds rotated over the ToEs so that every kind is injected equally often. */
  private eventPlan(): Map<number, SignalKind> {
    const plan = new Map<number, SignalKind>();
    EVENT_RUNS.forEach((run, position) => {
      let signal = signalKinds[(this.index * EVENT_RUNS.length + position) % signalKinds.length]!;
      // A static holdout repeats its metrics by design: copying them is no signal there (docs/anomalies.md).
      if (this.profile.staticHoldout && signal === 'repeated_measurements') signal = 'backdated_evidence';
      plan.set(run, signal);
    });
    return plan;
  }

  private approve(change: 'retrain' | 'rotation', at: number): void {
    const current = this.versions.at(-1)!;
    const next = { ...current, version: current.version + 1, approvedAt: at };
    if (change === 'retrain') {
      this.modelDigest = this.random.hex(64);
      next.modelDigests = [this.modelDigest];
      this.base = {
        tpr: bounded(this.base.tpr + this.random.uniform(-0.01, 0.02)),
        tnr: bounded(this.base.tnr + this.random.uniform(-0.01, 0.02)),
      };
      this.walk = { tpr: 0, tnr: 0 };
    } else {
      next.keyId = `key-${this.profile.toe}-${current.version + 1}`;
    }
    this.versions.push(next);
  }

  private event(signal: SignalKind, ids: string[], magnitude: number, tolerated: SignalKind[] = []): InjectedEvent {
    const event = {
      signal,
      evidenceIds: new Set(ids),
      tolerated: new Set(tolerated),
      aftermath: new Set<string>(),
      magnitude,
    };
    this.events.push(event);
    return event;
  }

  private produceRun(run: number, at: number, event: SignalKind | undefined): void {
    const { random, profile, noise } = this;
    const runId = `run-${run}`;
    let quality = qualityAt(profile, this.base, this.walk, at);
    let driftRate = this.driftRate;
    let extraFailures = 0;
    let meanShift = 0;
    let copied: Measurement[] | undefined;
    let producer: Partial<Pick<Draft, 'tool' | 'submitter' | 'keyId'>> = {};
    let magnitude = 0;
    const shifted = (size: number, tprSign = 1, tnrSign = 1) => ({
      tpr: bounded(quality.tpr + tprSign * size * noise.tpr),
      tnr: bounded(quality.tnr + tnrSign * size * noise.tnr),
    });
    let outlierKind: StreamKind = 'performance';

    switch (event) {
      case 'metric_outlier': {
        outlierKind = random.pick(['performance', 'performance', 'performance', 'drift', 'data_quality'] as const);
        magnitude = random.uniform(6, 12);
        if (outlierKind === 'performance') {
          const together = random.chance(0.5);
          const sign = random.chance(0.5) ? 1 : -1;
          quality = together ? shifted(magnitude, sign, sign) : shifted(magnitude, sign, -sign);
        } else if (outlierKind === 'drift') {
          magnitude = random.uniform(0.3, 0.6);
          driftRate = magnitude;
        } else {
          extraFailures = random.int(4, 8);
          meanShift = magnitude;
        }
        break;
      }
      case 'change_point': {
        const onDrift = profile.staticHoldout || random.chance(0.3);
        // Performance: a lasting shift of 3–6 sampling deviations; drift: the share of drifting columns rises by
        // 15–30 percentage points.
        magnitude = onDrift ? random.uniform(0.15, 0.3) : random.uniform(3, 6);
        if (onDrift) this.driftRate += magnitude;
        else {
          const sign = random.chance(0.75) ? -1 : 1;
          this.base = {
            tpr: bounded(this.base.tpr + sign * magnitude * noise.tpr),
            tnr: bounded(this.base.tnr + sign * magnitude * noise.tnr),
          };
        }
        quality = qualityAt(profile, this.base, this.walk, at);
        driftRate = this.driftRate;
        const event = this.event('change_point', [], magnitude, ['metric_outlier']);
        // Detected within 20 evidence of the series; the next 48 re-learn the baseline on data that did change.
        this.lasting = { kind: onDrift ? 'drift' : 'performance', remaining: 20, event, into: event.evidenceIds };
        this.relearning = { kind: this.lasting.kind, remaining: 48, event, into: event.aftermath };
        break;
      }
      case 'improvement_despite_data_change':
        magnitude = random.uniform(4, 8);
        quality = shifted(magnitude);
        driftRate = random.uniform(0.5, 0.9);
        extraFailures = random.int(3, 8);
        break;
      case 'repeated_measurements': {
        const earlier = this.drafts
          .filter((draft) => draft.kind === 'performance' && draft.runId.startsWith('run-'))
          .slice(-30);
        copied = random.pick(earlier).measurements.map((measurement) => ({ ...measurement }));
        magnitude = earlier.length;
        if (random.chance(0.5)) driftRate = random.uniform(0.5, 0.9);
        break;
      }
      case 'new_producer': {
        const facet = random.pick(['tool', 'submitter', 'key'] as const);
        magnitude = 1;
        if (facet === 'tool') producer = { tool: 'jupyter-notebook' };
        if (facet === 'submitter')
          producer = { submitter: { org: 'acme', subject: 'analyst@acme.example', role: 'auditee' } };
        if (facet === 'key') producer = { keyId: this.spareKey };
        break;
      }
      case 'model_digest_change': {
        this.modelDigest = random.hex(64);
        magnitude = random.uniform(-2, 2);
        this.base = {
          tpr: bounded(this.base.tpr + magnitude * noise.tpr),
          tnr: bounded(this.base.tnr + magnitude * noise.tnr),
        };
        quality = qualityAt(profile, this.base, this.walk, at);
        break;
      }
      default:
        break;
    }

    const performance = this.draft('performance', at, runId, {
      measurements: copied ?? performanceMeasurements(profile, quality, random),
      ...producer,
    });
    const drift = this.draft(
      'drift',
      at + random.uniform(10_000, 300_000),
      runId,
      driftReport(profile, driftRate, random),
    );
    const dataQuality = this.deadline
      ? undefined
      : this.draft(
          'data_quality',
          at + random.uniform(10_000, 300_000),
          runId,
          dataQualityReport(profile, extraFailures, meanShift, random),
        );
    this.trackLasting({ performance, drift, data_quality: dataQuality });

    switch (event) {
      case 'metric_outlier': {
        const target = outlierKind === 'performance' ? performance : outlierKind === 'drift' ? drift : dataQuality;
        if (target) this.event('metric_outlier', [target.id], magnitude);
        break;
      }
      case 'improvement_despite_data_change':
        this.event(
          'improvement_despite_data_change',
          [performance.id, drift.id, ...(dataQuality ? [dataQuality.id] : [])],
          magnitude,
          ['metric_outlier'],
        );
        break;
      case 'repeated_measurements': {
        const copy = this.event('repeated_measurements', [performance.id], magnitude, [
          'metric_outlier',
          'improvement_despite_data_change',
        ]);
        // When the run's data drifted as well, its drift evidence is rightly an outlier.
        copy.aftermath.add(drift.id);
        break;
      }
      case 'new_producer':
        this.event('new_producer', [performance.id], magnitude);
        break;
      case 'model_digest_change': {
        const swap = this.event('model_digest_change', [performance.id], magnitude, ['change_point', 'metric_outlier']);
        this.lasting = { kind: 'performance', remaining: 20, event: swap, into: swap.aftermath };
        break;
      }
      case 'cadence_gap': {
        const skipped = random.int(3, 10);
        this.gapUntil = run + 1 + skipped;
        this.gapEvent = { at: run + 1 + skipped, magnitude: skipped + 1 };
        if (random.chance(0.5)) {
          const middle = at + profile.periodMs * random.uniform(1, skipped);
          this.versions.push({
            ...this.versions.at(-1)!,
            version: this.versions.at(-1)!.version + 1,
            approvedAt: middle,
          });
        }
        break;
      }
      case 'cadence_burst': {
        const extra = random.int(3, 7);
        const ids: string[] = [];
        let time = at;
        for (let count = 0; count < extra; count += 1) {
          time += profile.periodMs * random.uniform(0.01, 0.08);
          ids.push(this.produceExtraPerformance(time).id);
        }
        this.event('cadence_burst', ids, extra);
        break;
      }
      case 'deadline_clustering': {
        const window = profile.freshnessMs.data_quality;
        const count = Math.max(4, Math.min(random.int(4, 8), Math.floor((40 * profile.periodMs) / window)));
        this.deadline = { remaining: count, event: this.event('deadline_clustering', [], count, ['cadence_gap']) };
        break;
      }
      case 'backdated_evidence': {
        const back = random.uniform(6 * 3_600_000, Math.min(10 * 86_400_000, at - START - 3_600_000));
        const draft = this.draft('performance', at - back, `run-late-${run}`, {
          measurements: performanceMeasurements(profile, quality, random),
          submittedAt: at + profile.periodMs * random.uniform(0.1, 0.5),
        });
        this.event('backdated_evidence', [draft.id], back / 3_600_000);
        break;
      }
      default:
        break;
    }
    if (this.gapEvent && this.gapEvent.at === run) {
      this.event(
        'cadence_gap',
        [performance.id, drift.id, ...(dataQuality ? [dataQuality.id] : [])],
        this.gapEvent.magnitude,
      );
      this.gapEvent = undefined;
    }
  }

  /** A lasting change: the next evidence of its kind belong to its event (or to its aftermath). */
  private lasting: { kind: StreamKind; remaining: number; event: InjectedEvent; into: Set<string> } | undefined;
  private gapEvent: { at: number; magnitude: number } | undefined;

  private relearning: StreamBuilder['lasting'];

  private trackLasting(drafts: Record<StreamKind, Draft | undefined>): void {
    const lasting = this.lasting;
    if (lasting) {
      const draft = drafts[lasting.kind];
      if (draft) lasting.into.add(draft.id);
      lasting.remaining -= 1;
      if (lasting.remaining === 0) this.lasting = undefined;
      return;
    }
    const relearning = this.relearning;
    if (relearning) {
      const draft = drafts[relearning.kind];
      if (draft) relearning.into.add(draft.id);
      relearning.remaining -= 1;
      if (relearning.remaining === 0) this.relearning = undefined;
    }
  }

  private produceExtraPerformance(at: number): Draft {
    const quality = qualityAt(this.profile, this.base, this.walk, at);
    return this.draft('performance', at, `rerun-${this.sequence}`, {
      measurements: performanceMeasurements(this.profile, quality, this.random),
    });
  }

  /** Data-quality evidence timed to its freshness deadline while the deadline pattern is on. */
  private emitDeadlineEvidence(until: number): void {
    const window = this.profile.freshnessMs.data_quality;
    while (this.deadline && this.lastDataQuality !== undefined) {
      const at = this.lastDataQuality + window * (1 - this.random.uniform(0.003, 0.03));
      if (at > until) return;
      const draft = this.draft(
        'data_quality',
        at,
        `dq-${this.sequence}`,
        dataQualityReport(this.profile, 0, 0, this.random),
      );
      this.deadline.event.evidenceIds.add(draft.id);
      this.deadline.remaining -= 1;
      if (this.deadline.remaining === 0) {
        // Back to the daily rhythm: the next data-quality evidence rightly look faster than the learnt one.
        const { event } = this.deadline;
        event.tolerated.add('cadence_burst');
        this.lasting = { kind: 'data_quality', remaining: 12, event, into: event.aftermath };
        this.deadline = undefined;
      }
    }
  }

  private draft(
    kind: StreamKind,
    observedAt: number,
    runId: string,
    content: { measurements: Measurement[]; checks?: Check[] } & Partial<
      Pick<Draft, 'tool' | 'submitter' | 'keyId' | 'submittedAt'>
    >,
  ): Draft {
    this.sequence += 1;
    const perRun = this.random.hex(64);
    const subjects =
      kind === 'performance'
        ? [
            { name: 'model.onnx', digest: { sha256: this.modelDigest } },
            { name: 'eval.parquet', digest: { sha256: this.profile.staticHoldout ? this.holdoutDigest : perRun } },
          ]
        : kind === 'drift'
          ? [
              { name: 'reference.parquet', digest: { sha256: this.referenceDigest } },
              { name: 'current.parquet', digest: { sha256: perRun } },
            ]
          : [{ name: 'current.parquet', digest: { sha256: perRun } }];
    const draft: Draft = {
      id: `${this.profile.toe}-${this.sequence}`,
      kind,
      observedAt,
      submittedAt: content.submittedAt ?? observedAt + this.random.uniform(0, 5000),
      runId,
      subjects,
      tool: content.tool ?? { performance: 'mlflow', drift: 'evidently', data_quality: 'great_expectations' }[kind],
      submitter: content.submitter ?? { org: 'acme', subject: 'ci-pipeline', role: 'pipeline' },
      keyId: content.keyId,
      measurements: content.measurements,
      checks: content.checks ?? [],
    };
    this.drafts.push(draft);
    if (kind === 'data_quality') this.lastDataQuality = observedAt;
    return draft;
  }

  /** The collector delivers in submission order, after a lognormal lag, holding everything back during an outage. */
  private deliver(directions: Record<string, MetricDirection>): StreamItem[] {
    const { profile, random } = this;
    const ordered = [...this.drafts].sort((a, b) => a.submittedAt - b.submittedAt);
    let previous = Number.NEGATIVE_INFINITY;
    const renewals = Array.from({ length: 8 }, (_, count) => ({
      kind: 'renewal' as const,
      at: new Date(START + (count + 1) * RENEWAL_MS),
    }));
    return ordered.map((draft) => {
      let appended =
        draft.submittedAt + profile.lag.medianSeconds * 1000 * Math.exp(random.normal(0, profile.lag.logDeviation));
      const outage = this.outages.find((window) => draft.submittedAt >= window.from && draft.submittedAt < window.to);
      if (outage) appended = outage.to + random.uniform(1000, 5000);
      appended = Math.max(appended, previous + 50);
      previous = appended;
      const version = this.versions.filter((entry) => entry.approvedAt <= appended).at(-1) ?? this.versions[0]!;
      const evidence: AnomalyEvidence = {
        id: draft.id,
        appendedAt: new Date(appended),
        keyId: draft.keyId ?? version.keyId,
        subjects: draft.subjects,
        predicate: {
          toe: profile.toe,
          kind: draft.kind,
          producer: { tool: draft.tool, pipelineRunId: draft.runId },
          observedAt: new Date(draft.observedAt).toISOString(),
          context: { split: 'test', environment: 'production' },
          measurements: draft.measurements,
          checks: draft.checks,
          submitter: draft.submitter,
        },
      };
      const scope: AnomalyScope = {
        version: version.version,
        modelDigests: version.modelDigests,
        datasetDigests: [this.referenceDigest, ...(profile.staticHoldout ? [this.holdoutDigest] : [])],
        freshnessMs: profile.freshnessMs,
        ...(profile.declaresRhythm
          ? {
              expectedIntervalMs: {
                performance: profile.periodMs,
                drift: profile.periodMs,
                data_quality: profile.periodMs,
              },
            }
          : {}),
        metricDirections: directions,
        milestones: [
          ...this.versions
            .filter((entry) => entry.approvedAt <= appended)
            .map((entry) => ({ kind: 'approval' as const, at: new Date(entry.approvedAt) })),
          ...renewals,
        ],
      };
      return { evidence, scope };
    });
  }
}
