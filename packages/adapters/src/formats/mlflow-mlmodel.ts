import type { Measurement } from '@cabc/contracts';
import { AdapterError } from '../adapter-error.ts';
import { buildEvidence } from '../evidence/build-evidence.ts';
import { readNumber, readRecord, readString } from '../evidence/field-readers.ts';
import { measurement } from '../evidence/items.ts';
import { isoFromText } from '../evidence/timestamps.ts';
import { isRecord, textOf, type JsonRecord } from '../evidence/values.ts';
import type { FormatAdapter } from '../format-adapter.ts';
import { childPath } from '../parsing/json-path.ts';
import { parseJsonSafely } from '../parsing/safe-json.ts';

/** Flavor settings that are plain values (versions, loader module, serialisation format), not nested config. */
function flavorMeasurements(flavors: JsonRecord): Measurement[] {
  return Object.entries(flavors).flatMap(([flavor, settings]) => [
    measurement('flavor', flavor),
    ...Object.entries(isRecord(settings) ? settings : {})
      .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
      .map(([key, value]) => measurement(`${flavor}.${key}`, value)),
  ]);
}

/** MLflow stores each side of the signature as a JSON string inside the YAML. */
function signatureSide(signature: JsonRecord, side: 'inputs' | 'outputs' | 'params'): unknown[] | undefined {
  const raw = signature[side];
  if (raw === undefined || raw === null) return undefined;
  const field = childPath('signature', side);
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = parseJsonSafely(raw);
    } catch (cause) {
      const reason = cause instanceof AdapterError ? cause.message : String(cause);
      throw new AdapterError('invalid', `${field}: not a JSON column list (${reason})`, { field });
    }
  }
  if (!Array.isArray(parsed)) throw new AdapterError('invalid', `${field}: expected a list of columns`, { field });
  return parsed;
}

/** One measurement per column: its type as value and its name as slice (tensors without a name get `#index`). */
function columnMeasurements(side: 'input' | 'output', columns: unknown[]): Measurement[] {
  return columns.map((column, index) => {
    const spec = isRecord(column) ? column : {};
    const tensor = isRecord(spec['tensor-spec']) ? spec['tensor-spec'] : undefined;
    const type = tensor
      ? `tensor ${textOf(tensor.dtype) ?? '?'} ${JSON.stringify(tensor.shape ?? [])}`
      : (textOf(spec.type) ?? 'unknown');
    return measurement(`signature.${side}`, type, { slice: textOf(spec.name) ?? `#${index}` });
  });
}

export const mlflowMlmodelAdapter: FormatAdapter = {
  id: 'mlflow-mlmodel',
  title: 'MLflow MLmodel file',
  syntax: 'yaml',
  mediaType: 'application/yaml',
  kinds: ['model_architecture'],
  detection: 'a YAML mapping with a `flavors` mapping',
  filenameHint: /(^|[\\/])MLmodel$/,
  matches: (value) => isRecord(value) && isRecord(value.flavors),
  adapt(value, context) {
    if (!isRecord(value)) return [];
    const flavors = readRecord(value, 'flavors', '') ?? {};
    const signature = readRecord(value, 'signature', '') ?? {};
    const inputs = signatureSide(signature, 'inputs');
    const outputs = signatureSide(signature, 'outputs');
    const params = signatureSide(signature, 'params');
    const mlflowVersion = textOf(value.mlflow_version);
    const modelUuid = readString(value, 'model_uuid', '');
    const artifactPath = readString(value, 'artifact_path', '');
    const sizeBytes = readNumber(value, 'model_size_bytes', '');

    const measurements = [
      measurement('flavor_count', Object.keys(flavors).length),
      ...flavorMeasurements(flavors),
      ...(inputs ? [measurement('signature.inputs', inputs.length), ...columnMeasurements('input', inputs)] : []),
      ...(outputs ? [measurement('signature.outputs', outputs.length), ...columnMeasurements('output', outputs)] : []),
      ...(params ? [measurement('signature.params', params.length)] : []),
      ...(mlflowVersion ? [measurement('mlflow_version', mlflowVersion)] : []),
      ...(modelUuid ? [measurement('model_uuid', modelUuid)] : []),
      ...(artifactPath ? [measurement('artifact_path', artifactPath)] : []),
      ...(sizeBytes !== undefined ? [measurement('model_size_bytes', sizeBytes, { unit: 'bytes' })] : []),
    ];
    return [
      buildEvidence(context, {
        kind: 'model_architecture',
        producer: { tool: 'mlflow', toolVersion: mlflowVersion, pipelineRunId: textOf(value.run_id) },
        observedAt: isoFromText(value.utc_time_created),
        measurements,
      }),
    ];
  },
};
