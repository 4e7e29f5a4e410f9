import { createHash } from 'node:crypto';
import type { Server } from '@cabc/http-kit';

/**
 * Every route the app registered, as `METHOD /openapi/{style}` pairs, read from Fastify's own route tree (so a new
 * route is checked without editing the test). HEAD twins and the documentation routes themselves are left out.
 */
export function registeredRoutes(app: Server): string[] {
  const lines = app.printRoutes({ commonPrefix: false }).split('\n');
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of lines) {
    const match = /^([│ ]*)(?:├── |└── )(.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack.at(-1) ?? '') + match[2]!;
    stack.push(path);
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim())) {
      if (!method || method === 'HEAD') continue;
      if (path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/')) continue;
      routes.push(`${method} ${path.replaceAll(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    }
  }
  return routes.sort();
}

/** The same pairs from an OpenAPI document. */
export function documentedRoutes(document: { paths?: Record<string, Record<string, unknown>> }): string[] {
  const httpMethods = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']);
  return Object.entries(document.paths ?? {})
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => httpMethods.has(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

/** RFC 7638 thumbprint of an Ed25519 JWK, computed here from the RFC's rules rather than by the code under test. */
export function rfc7638Thumbprint(jwk: { crv: string; kty: string; x: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}
