/**
 * Paths every service answers without a user's bearer token: health, API documentation, its public signing keys, and
 * /metrics (which checks its own scrape token, METRICS_TOKEN, when one is set).
 */
export function isOperationsPath(path: string): boolean {
  return (
    path === '/healthz' ||
    path === '/readyz' ||
    path === '/openapi.json' ||
    path === '/docs' ||
    path.startsWith('/docs/') ||
    path === '/.well-known/jwks.json' ||
    path === '/metrics'
  );
}
