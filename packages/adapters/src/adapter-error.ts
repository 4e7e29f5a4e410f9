export const adapterErrorCodes = [
  'unknown_format',
  'malformed',
  'unsupported_version',
  'too_deep',
  'forbidden_key',
  'invalid',
] as const;
export type AdapterErrorCode = (typeof adapterErrorCodes)[number];

export interface AdapterErrorDetails {
  /** JSON path of the offending value, e.g. `metrics[3].result`. */
  field?: string | undefined;
  /** 1-based position in the text, when the parser knows it. */
  line?: number | undefined;
  column?: number | undefined;
}

export class AdapterError extends Error {
  readonly code: AdapterErrorCode;
  readonly field: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: AdapterErrorCode, message: string, details: AdapterErrorDetails = {}) {
    super(message);
    this.name = 'AdapterError';
    this.code = code;
    this.field = details.field;
    this.line = details.line;
    this.column = details.column;
  }
}
