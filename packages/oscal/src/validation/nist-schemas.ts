import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { OscalModel } from '../bundle.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** NIST's OSCAL 1.1.2 JSON Schemas, vendored with their provenance (schemas/oscal-1.1.2/PROVENANCE.md). */
export const NIST_SCHEMA_DIR = path.resolve(import.meta.dirname, '..', '..', 'schemas', 'oscal-1.1.2');

const schemaFiles: Record<OscalModel, string> = {
  catalog: 'oscal_catalog_schema.json',
  profile: 'oscal_profile_schema.json',
  'system-security-plan': 'oscal_ssp_schema.json',
  'assessment-plan': 'oscal_assessment-plan_schema.json',
  'assessment-results': 'oscal_assessment-results_schema.json',
  'plan-of-action-and-milestones': 'oscal_poam_schema.json',
};

const compiled = new Map<OscalModel, ValidateFunction>();

function validatorOf(model: OscalModel): ValidateFunction {
  let validate = compiled.get(model);
  if (!validate) {
    // One Ajv per schema: the six files define the same definitions under their own $id.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(path.join(NIST_SCHEMA_DIR, schemaFiles[model]), 'utf8')));
    compiled.set(model, validate);
  }
  return validate;
}

/** What NIST's schema of the model finds wrong with the document: JSON pointer and message per error (none: valid). */
export function nistSchemaErrors(model: OscalModel, document: unknown): string[] {
  const validate = validatorOf(model);
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message ?? 'invalid'} ${JSON.stringify(error.params)}`,
  );
}
