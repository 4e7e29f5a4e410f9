import { uuidV5 } from './oscal-text.ts';

/** UUIDs of what the documents describe, derived from CABC's ids (kept from the first OSCAL export). */
export const toeComponentUuid = (toeId: string) => uuidV5(`toe:${toeId}`);
export const artifactComponentUuid = (toeId: string, kind: 'model' | 'dataset', sha256: string, name: string) =>
  uuidV5(`artifact:${toeId}:${kind}:${name}:${sha256}`);
export const collectorComponentUuid = (org: string) => uuidV5(`component:evidence-collector:${org}`);
export const assessmentServiceUuid = () => uuidV5('component:cabc-assessment');
export const toolComponentUuid = (tool: string) => uuidV5(`tool:${tool}`);
