export { adapt, detectFormat } from './adapt.ts';
export { AdapterError, adapterErrorCodes, type AdapterErrorCode, type AdapterErrorDetails } from './adapter-error.ts';
export { adaptedEvidenceSchema } from './adapted-evidence-schema.ts';
export { formats, isFormatId, type FormatId } from './format-ids.ts';
export { formatDescriptions, type FormatDescription } from './format-registry.ts';
export { parseJsonSafely } from './parsing/safe-json.ts';
export { parseYamlSafely, type YamlParseOptions } from './parsing/safe-yaml.ts';
export { DEFAULT_MAX_DEPTH } from './parsing/tree-limits.ts';
export type { AdaptedEvidence, AdapterInput, AdaptOptions, AdaptResult } from './types.ts';
