export { buildOscalBundle, bundleZip, documentText, MANIFEST_FILE, DEFAULT_WINDOW } from './bundle.ts';
export type { BundleManifest, OscalBundle, OscalDocument, OscalModel } from './bundle.ts';
export { OscalBundleInputError } from './bundle-error.ts';
export type * from './bundle-input.ts';
export { BUNDLE_LIMITS } from './evaluation-windows.ts';
export { anomalyObservationUuid } from './anomaly-observation.ts';
export { unresolvedReferences } from './references.ts';
export { createZip, type ZipEntry } from './zip.ts';
export { CABC_NS, OSCAL_VERSION, uuidV5 } from './oscal-text.ts';
export {
  OSCAL_AR_MEDIA_TYPE,
  toOscalAssessmentResults,
  type WindowReportData,
  type WindowRequirementReport,
} from './window-report.ts';
export { CATALOG_FILE, PROFILE_FILE } from './built-in-catalog.ts';
export { SCOPE_CATALOG_FILE, SCOPE_PROFILE_FILE } from './scope-catalog.ts';
export { SSP_FILE } from './system-security-plan.ts';
export { AP_FILE } from './assessment-plan.ts';
export { AR_FILE } from './assessment-results.ts';
export { POAM_FILE } from './plan-of-action.ts';
export {
  chooseApprovedScope,
  readCertificateInput,
  type CertificationBodyGet,
  type ScopeVersionSource,
} from './bundle-source.ts';
