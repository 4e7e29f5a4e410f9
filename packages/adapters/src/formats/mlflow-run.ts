import type { Check, Measurement } from '@cabc/contracts';
import { buildEvidence } from '../evidence/build-evidence.ts';
import {
  readArray,
  readNumber,
  readRecord,
  readString,
  requireRecord,
  requireString,
} from '../evidence/field-readers.ts';
import { check, measurement } from '../evidence/items.ts';
import { numberOrText } from '../evidence/metric-value.ts';
import { isoFromEpochMillis } from '../evidence/timestamps.ts';
import { isRecord, keyValuePairs, recordOf, textOf, type JsonRecord } from '../evidence/values.ts';
import type { FormatAdapter } from '../format-adapter.ts';
import { childPath } from '../parsing/json-path.ts';

interface RunLocation {
  run: JsonRecord;
  path: string;
}

/** Accepts the `runs/get` response (`{run: {info, data}}`) and the bare run object. */
function locateRun(value: unknown): RunLocation | undefined {
  if (!isRecord(value)) return undefined;
  if (isRecord(value.run)) return isRunObject(value.run) ? { run: value.run, path: 'run' } : undefined;
  return isRunObject(value) ? { run: value, path: '' } : undefined;
}

function isRunObject(value: JsonRecord): boolean {
  const info = value.info;
  return (
    isRecord(info) && isRecord(value.data) && (typeof info.run_id === 'string' || typeof info.run_uuid === 'string')
  );
}

/** MLflow REST writes `[{key, value, timestamp, step}]`; the Python client's `to_dictionary()` writes `{key: value}`. */
function metricMeasurements(metrics: unknown, path: string): Measurement[] {
  if (Array.isArray(metrics)) {
    return metrics.map((item, index) => {
      const itemPath = childPath(path, index);
      const entry = requireRecord(item, itemPath);
      return measurement(requireString(entry, 'key', itemPath), readNumber(entry, 'value', itemPath));
    });
  }
  if (!isRecord(metrics)) return [];
  return Object.keys(metrics).map((key) => measurement(key, readNumber(metrics, key, path)));
}

/** FINISHED passes; a run that failed or was killed fails; one still going (RUNNING, SCHEDULED) is not done yet. */
function runStatusCheck(status: string | undefined): Check {
  if (status === 'FINISHED') return check('run_status', 'pass', 'FINISHED');
  if (status === 'FAILED' || status === 'KILLED') return check('run_status', 'fail', status);
  if (status === undefined) return check('run_status', 'error', 'the run has no status');
  return check('run_status', 'warn', `${status}: the run has not finished`);
}

export const mlflowRunAdapter: FormatAdapter = {
  id: 'mlflow-run',
  title: 'MLflow run (REST runs/get)',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['performance', 'model_parameters'],
  detection:
    'an object with `run.info` and `run.data` (or bare `info` and `data`) where info has `run_id` or `run_uuid`',
  matches: (value) => locateRun(value) !== undefined,
  adapt(value, context) {
    const location = locateRun(value);
    if (!location) return [];
    const { run, path } = location;
    const infoPath = childPath(path, 'info');
    const dataPath = childPath(path, 'data');
    const info = readRecord(run, 'info', path) ?? {};
    const data = readRecord(run, 'data', path) ?? {};
    const runId = readString(info, 'run_id', infoPath) ?? requireString(info, 'run_uuid', infoPath);

    const metrics = metricMeasurements(data.metrics, childPath(dataPath, 'metrics'));
    const params = keyValuePairs(data.params).map(([key, paramValue]) => measurement(key, numberOrText(paramValue)));

    const datasetInput = readArray(recordOf(run.inputs), 'dataset_inputs', childPath(path, 'inputs'))?.find(isRecord);
    const dataset = isRecord(datasetInput?.dataset) ? textOf(datasetInput.dataset.name) : undefined;
    const datasetContext = keyValuePairs(datasetInput?.tags).find(([key]) => key === 'mlflow.data.context')?.[1];

    const common = {
      producer: { tool: 'mlflow', pipelineRunId: runId, uri: readString(info, 'artifact_uri', infoPath) },
      observedAt: isoFromEpochMillis(info.end_time) ?? isoFromEpochMillis(info.start_time),
      context: { dataset, split: textOf(datasetContext) },
    };
    const evidence = [
      buildEvidence(context, {
        ...common,
        kind: 'performance',
        measurements: metrics,
        checks: [runStatusCheck(readString(info, 'status', infoPath))],
      }),
    ];
    if (params.length > 0) {
      evidence.push(buildEvidence(context, { ...common, kind: 'model_parameters', measurements: params }));
    }
    return evidence;
  },
};
