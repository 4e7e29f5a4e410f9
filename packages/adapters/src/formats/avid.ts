import type { EvidenceKind, Measurement } from '@cabc/contracts';
import { buildEvidence } from '../evidence/build-evidence.ts';
import { readArray, requireRecord } from '../evidence/field-readers.ts';
import { check, measurement, type CheckStatus } from '../evidence/items.ts';
import { numericLeaves } from '../evidence/numeric-leaves.ts';
import { isoFromText } from '../evidence/timestamps.ts';
import { arrayOf, isRecord, recordOf, textOf, textsOf, type JsonRecord } from '../evidence/values.ts';
import type { FormatAdapter } from '../format-adapter.ts';
import { childPath } from '../parsing/json-path.ts';

/**
 * Kind from the AVID taxonomy. SEP view codes E01xx are Bias/Discrimination → fairness; a metric with a `sensitive`
 * feature is a group comparison → fairness. Security codes (S…), performance-robustness codes (P02…) or the
 * Security/Performance risk domains → robustness. Anything else (toxicity, misinformation, …) → evaluation.
 */
function avidKind(report: JsonRecord, metrics: JsonRecord[]): EvidenceKind {
  const avid = recordOf(recordOf(report.impact).avid);
  const sepCodes = textsOf(avid.sep_view);
  const riskDomains = textsOf(avid.risk_domain);
  const hasSensitive = metrics.some((metric) => textOf(recordOf(metric.features).sensitive) !== undefined);
  if (sepCodes.some((code) => code.startsWith('E01')) || hasSensitive) return 'fairness';
  if (
    sepCodes.some((code) => code.startsWith('S') || code.startsWith('P02')) ||
    riskDomains.some((domain) => /security|performance/i.test(domain))
  ) {
    return 'robustness';
  }
  return 'evaluation';
}

/** A report documents a problem found (Detection, Issue, Advisory) → fail; a plain Measurement report → warn. */
function reportStatus(problemType: JsonRecord): CheckStatus {
  return textOf(problemType.type)?.toLowerCase() === 'measurement' ? 'warn' : 'fail';
}

/** AVID 0.1 metrics carry no value (null measurement); later versions add `results`, read as numbers. */
function metricMeasurements(metric: JsonRecord, index: number): Measurement[] {
  const name = textOf(metric.name) ?? `metric ${index}`;
  const slice = textOf(recordOf(metric.features).sensitive);
  const results = numericLeaves(metric.results);
  if (results.length === 0) return [measurement(name, null, { slice })];
  return results.map((leaf) => measurement(leaf.path === '' ? name : `${name}.${leaf.path}`, leaf.value, { slice }));
}

function metricDetail(metric: JsonRecord): string {
  const features = recordOf(metric.features);
  const method = recordOf(metric.detection_method);
  return [
    textOf(metric.name),
    textOf(method.name) ?? textOf(method.type),
    textOf(features.sensitive) ? `sensitive feature: ${textOf(features.sensitive)}` : undefined,
    textOf(features.measured) ? `measured: ${textOf(features.measured)}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join('; ');
}

export const avidAdapter: FormatAdapter = {
  id: 'avid',
  title: 'AVID (AI Vulnerability Database) report',
  syntax: 'json',
  mediaType: 'application/json',
  kinds: ['fairness', 'robustness', 'evaluation'],
  detection: 'an object with `data_type: "AVID"`',
  matches: (value) => isRecord(value) && value.data_type === 'AVID',
  adapt(value, context) {
    if (!isRecord(value)) return [];
    const metrics = (readArray(value, 'metrics', '') ?? []).map((item, index) =>
      requireRecord(item, childPath('metrics', index)),
    );
    const problemType = recordOf(value.problemtype);
    const affects = recordOf(value.affects);
    const artifacts = arrayOf(affects.artifacts).filter(isRecord);
    const reportId = textOf(recordOf(value.metadata).report_id) ?? 'AVID report';
    const description = textOf(recordOf(problemType.description).value) ?? textOf(recordOf(value.description).value);
    const source = arrayOf(value.references)
      .filter(isRecord)
      .find((reference) => reference.type === 'source');
    return [
      buildEvidence(context, {
        kind: avidKind(value, metrics),
        producer: { tool: 'avid', toolVersion: textOf(value.data_version), uri: textOf(source?.url) },
        observedAt: isoFromText(value.reported_date),
        // The context has no model field; an affected dataset is the one place an artifact fits.
        context: { dataset: textOf(artifacts.find((artifact) => /dataset/i.test(textOf(artifact.type) ?? ''))?.name) },
        measurements: [
          ...artifacts.map((artifact) =>
            measurement('affected_artifact', `${textOf(artifact.type) ?? 'Artifact'}: ${textOf(artifact.name) ?? '?'}`),
          ),
          ...textsOf(affects.developer).map((developer) => measurement('developer', developer)),
          ...textsOf(affects.deployer).map((deployer) => measurement('deployer', deployer)),
          ...(textOf(problemType.classof) ? [measurement('problem_class', textOf(problemType.classof))] : []),
          ...metrics.flatMap(metricMeasurements),
        ],
        checks: [
          check(
            `avid:${reportId}`,
            reportStatus(problemType),
            [description, ...metrics.map(metricDetail)].filter((part) => part).join(' | '),
          ),
        ],
      }),
    ];
  },
};
