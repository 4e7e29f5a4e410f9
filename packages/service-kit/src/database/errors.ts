export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

/**
 * SQLSTATE classes and socket codes that mean "the database is not reachable right now" rather than "this request is
 * wrong": connection exceptions (08), admin shutdown / crash / cannot connect now (57P01-57P03), too many connections.
 */
const unavailableCodes = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What node-postgres (and ioredis) say, without a code, when a connection ends under a query or cannot be had from the pool. */
const unavailableMessages =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection is closed|Client was closed|Stream isn't writeable|max retries per request/i;

/** True when `error` (or an error it was caused by) is an outage of Postgres or Redis, not a fault of the request. */
export function isInfrastructureUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (typeof current !== 'object') return false;
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && unavailableCodes.has(code)) return true;
    if (typeof message === 'string' && unavailableMessages.test(message)) return true;
    current = cause;
  }
  return false;
}
