// The dashboard as its own process (containers): serves the built app and forwards API calls to the services.
import { startDashboard } from './server.ts';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`dashboard: set ${name}\n`);
    process.exit(2);
  }
  return value;
};

const dashboard = await startDashboard({
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 8080),
  assessmentUrl: required('ASSESSMENT_URL'),
  certificationBodyUrl: required('CERTIFICATION_BODY_URL'),
  collectorUrl: process.env.COLLECTOR_URL,
  oidc: process.env.OIDC_ISSUER
    ? {
        issuer: process.env.OIDC_ISSUER,
        clientId: required('OIDC_CLIENT_ID'),
        scopes: (process.env.OIDC_SCOPES ?? 'openid').split(/[\s,]+/).filter(Boolean),
        resource: process.env.OIDC_RESOURCE,
      }
    : undefined,
  build: process.env.DASHBOARD_BUILD !== 'false',
  log: (line) => process.stderr.write(`dashboard: ${line}\n`),
});
process.stderr.write(`dashboard: listening on ${dashboard.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void dashboard.close().then(() => process.exit(0));
  });
}
