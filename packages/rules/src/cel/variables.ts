import { evidenceKinds, type EvidenceKind } from '@cabc/contracts';
import { DYN, STRING, TIMESTAMP, listOf, mapOf, recordOf, type StaticType } from './static-types.ts';

/** How many pieces of evidence per kind `history` holds, newest first. */
export const HISTORY_LIMIT = 50;

const measurementType = recordOf('measurement', { name: STRING, value: DYN, unit: STRING, slice: STRING });
const checkType = recordOf('check', { name: STRING, status: STRING, detail: STRING });
const subjectType = recordOf('subject', { name: STRING, sha256: STRING });
const producerType = recordOf('producer', {
  tool: STRING,
  toolVersion: STRING,
  adapter: STRING,
  pipelineRunId: STRING,
  uri: STRING,
});
const contextType = recordOf('context', { dataset: STRING, split: STRING, slice: STRING, environment: STRING });

/** One piece of evidence as an expression sees it; built by `celEvidence` in bindings.ts. */
export const evidenceType = recordOf('evidence', {
  id: STRING,
  kind: STRING,
  observedAt: TIMESTAMP,
  receivedAt: TIMESTAMP,
  producer: producerType,
  context: contextType,
  metrics: mapOf(STRING, DYN),
  measurements: listOf(measurementType),
  checks: listOf(checkType),
  subjects: listOf(subjectType),
});

function byKind(variable: string, kinds: readonly EvidenceKind[], type: StaticType) {
  const fields = Object.fromEntries(kinds.map((kind) => [kind, type]));
  return recordOf(variable, fields, (field) =>
    (evidenceKinds as readonly string[]).includes(field)
      ? { field: 'kinds', message: `the expression reads ${variable}.${field}, so kinds must list '${field}'` }
      : { field: 'expression', message: `'${field}' is not an evidence kind` },
  );
}

/** The variables an expression rule that reads `kinds` may use. */
export function expressionGlobals(kinds: readonly EvidenceKind[]): ReadonlyMap<string, StaticType> {
  return new Map<string, StaticType>([
    ['latest', byKind('latest', kinds, evidenceType)],
    ['history', byKind('history', kinds, listOf(evidenceType))],
    ['now', TIMESTAMP],
  ]);
}
