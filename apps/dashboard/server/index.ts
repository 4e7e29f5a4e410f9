export { startDashboard, type DashboardOptions, type RunningDashboard } from './server.ts';
export { ensureDashboardBuilt, isBuildStale, distDir } from './build.ts';
export { createCertificateWatch, type CertificateStatus, type CertificateChange } from './certificate-watch.ts';
