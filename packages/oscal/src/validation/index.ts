export { NIST_SCHEMA_DIR, nistSchemaErrors } from './nist-schemas.ts';
export {
  installedTrestleVersion,
  TRESTLE_VERSION,
  trestlePython,
  validateWithTrestle,
  type TrestleReport,
} from './trestle.ts';
