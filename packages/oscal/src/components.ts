import { uuidV5 } from './oscal-text.ts';

/** UUIDs of what the documents describe, derived from CABC's ids (kept from the first OSCAL export). */
export const toeComponentUuid = (toeId: string) => uuidV5(`toe:${toeId}`);
export const artifactComponentUuid = (toeId: string, kind: 'model' | 'dataset', sha256: string, name: string) =>
  uuidV5(`artifact:${toeId}:${kind}:${name}:${sha256}`);
export const collectorComponentUuid = (org: string) => uuidV5(`component:evidence-collector:${org}`);
export const assessmentServiceUuid = () => uuidV5('component:cabc-assessment');
export const toolComponentUuid = (tool: string) => uuidV5(`tool:${tool}`);

/** The auditor's assessment service, the tool every evaluation runs on. */
export const assessmentServiceComponent = () => ({
  uuid: assessmentServiceUuid(),
  type: 'software',
  title: 'CABC assessment service',
  description:
    'Verifies signed evidence, keeps the evidence ledger and evaluates the approved requirements continuously.',
  status: { state: 'operational' },
});
