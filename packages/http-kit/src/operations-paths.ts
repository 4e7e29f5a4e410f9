/** Paths every service answers without a bearer token: health, API documentation, its public signing keys. */
export function isOperationsPath(path: string): boolean {
  return (
    path === '/healthz' ||
    path === '/readyz' ||
    path === '/openapi.json' ||
    path === '/docs' ||
    path.startsWith('/docs/') ||
    path === '/.well-known/jwks.json'
  );
}
