import type { SignalKind } from '@cabc/anomaly';

/** One injected anomaly or gaming pattern and the evidence it made, as the benchmark scores it. */
export interface InjectedEvent {
  signal: SignalKind;
  /** An observation of `signal` whose first evidence is one of these detects the event. */
  evidenceIds: Set<string>;
  /**
   * Other signals that are right to fire on these evidence too (the first point of a lasting change is also an
   * outlier); they count neither for nor against precision.
   */
  tolerated: Set<SignalKind>;
  /** Evidence after the event on which the tolerated signals are right too, without detecting it. */
  aftermath: Set<string>;
  /** How strong the injection is, in the unit its kind uses (see docs/anomalies.md#benchmark). */
  magnitude: number;
}

/** Events per anomalous ToE, at these runs of its 360: each has 50 runs of calm around it. */
export const EVENT_RUNS = [70, 120, 170, 220, 270, 320] as const;
