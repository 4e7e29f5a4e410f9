import { signalKinds, type Observation, type SignalKind } from '@cabc/anomaly';
import type { InjectedEvent } from './events.ts';
import type { GeneratedStream } from './generator.ts';

export interface KindTally {
  events: number;
  detected: number;
  truePositives: number;
  falsePositives: number;
  tolerated: number;
}

export interface Tally {
  perKind: Record<SignalKind, KindTally>;
  cleanEvidence: number;
  cleanEvidenceFlagged: number;
  /** Evidence of anomalous ToEs outside every event and aftermath. */
  quietEvidence: number;
  quietEvidenceFlagged: number;
  /** Detected / injected per kind and magnitude band, for the sensitivity table. */
  bands: Map<string, { events: number; detected: number }>;
}

export function emptyTally(): Tally {
  const perKind = Object.fromEntries(
    signalKinds.map((kind) => [kind, { events: 0, detected: 0, truePositives: 0, falsePositives: 0, tolerated: 0 }]),
  ) as Record<SignalKind, KindTally>;
  return {
    perKind,
    cleanEvidence: 0,
    cleanEvidenceFlagged: 0,
    quietEvidence: 0,
    quietEvidenceFlagged: 0,
    bands: new Map(),
  };
}

/**
 * Scores one stream's observations against its labels. An observation is judged by its first evidence (the one
 * that raised it): a true positive when an injected event of its signal contains that evidence, tolerated when an
 * event or its aftermath contains it and lists the signal as tolerated, otherwise a false positive.
 */
export function score(
  tally: Tally,
  stream: GeneratedStream,
  observations: readonly Observation[],
  band: (event: InjectedEvent) => string,
): void {
  const detected = new Set<InjectedEvent>();
  const flagged = new Set<string>();
  for (const observation of observations) {
    const trigger = observation.evidenceIds[0]!;
    flagged.add(trigger);
    const kind = tally.perKind[observation.signal];
    const hit = stream.events.find((event) => event.signal === observation.signal && event.evidenceIds.has(trigger));
    if (hit) {
      kind.truePositives += 1;
      detected.add(hit);
      continue;
    }
    const excused = stream.events.some(
      (event) =>
        event.tolerated.has(observation.signal) && (event.evidenceIds.has(trigger) || event.aftermath.has(trigger)),
    );
    if (excused) kind.tolerated += 1;
    else kind.falsePositives += 1;
  }
  for (const event of stream.events) {
    const kind = tally.perKind[event.signal];
    kind.events += 1;
    const found = detected.has(event);
    if (found) kind.detected += 1;
    const key = `${event.signal}|${band(event)}`;
    const entry = tally.bands.get(key) ?? { events: 0, detected: 0 };
    entry.events += 1;
    if (found) entry.detected += 1;
    tally.bands.set(key, entry);
  }
  const labelled = new Set(stream.events.flatMap((event) => [...event.evidenceIds, ...event.aftermath]));
  for (const { evidence } of stream.items) {
    if (!stream.anomalous) {
      tally.cleanEvidence += 1;
      if (flagged.has(evidence.id)) tally.cleanEvidenceFlagged += 1;
    } else if (!labelled.has(evidence.id)) {
      tally.quietEvidence += 1;
      if (flagged.has(evidence.id)) tally.quietEvidenceFlagged += 1;
    }
  }
}
