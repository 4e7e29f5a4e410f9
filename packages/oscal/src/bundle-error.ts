/** A bundle input the export refuses, naming the field at fault (the API answers it as a 422 problem). */
export class OscalBundleInputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'OscalBundleInputError';
    this.field = field;
  }
}
