declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL of the Postgres the tests use (from DATABASE_URL, or a testcontainer). */
    databaseUrl: string;
    redisUrl: string;
    /** Template database names per service, migrated once per run. */
    templates: Record<string, string>;
    runId: string;
  }
}
export {};
