export type LedgerRangeField = 'index' | 'size' | 'size1' | 'size2' | 'existingSize';

/**
 * A requested index or tree size lies outside what the log can answer for. `limit` is the bound the value broke
 * and `relation` how the value must compare to it (e.g. index < size), so an HTTP layer can answer 422 naming it.
 */
export class LedgerRangeError extends RangeError {
  readonly field: LedgerRangeField;
  readonly value: number;
  readonly relation: '<' | '<=' | '>=';
  readonly limit: number;

  constructor(field: LedgerRangeField, value: number, relation: '<' | '<=' | '>=', limit: number, limitName: string) {
    super(`${field} must be ${relation} ${limitName} (${limit}), got ${value}`);
    this.name = 'LedgerRangeError';
    this.field = field;
    this.value = value;
    this.relation = relation;
    this.limit = limit;
  }
}

export type CheckpointErrorReason =
  | 'malformed_note'
  | 'invalid_verifier_key'
  | 'no_trusted_signature'
  | 'bad_signature'
  | 'malformed_checkpoint'
  | 'origin_mismatch';

/** A signed note or the checkpoint it carries was rejected; `reason` says which check failed. */
export class CheckpointError extends Error {
  readonly reason: CheckpointErrorReason;

  constructor(reason: CheckpointErrorReason, message: string) {
    super(message);
    this.name = 'CheckpointError';
    this.reason = reason;
  }
}
