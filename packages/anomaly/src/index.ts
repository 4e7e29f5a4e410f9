export { observeEvidence, replay } from './observe.ts';
export {
  anomalyStateSchema,
  emptyState,
  restoreState,
  STATE_SCHEMA_VERSION,
  type AnomalyState,
} from './state.ts';
export {
  signalKinds,
  type AnomalyEvidence,
  type AnomalyScope,
  type MetricDirection,
  type Observation,
  type ObservationDetail,
  type SignalKind,
} from './types.ts';
export { ANOMALY_PARAMETERS, type AnomalyParameters } from './parameters.ts';
export { metricDirectionsOf } from './metric-direction.ts';
