export { createDatabase, type Database } from './create-database.ts';
export { migrateToLatest, migrationsFolder, type ServiceName } from './migrate.ts';
export { ensureDatabaseExists, databaseUrlFor, isPostgresReachable } from './provision.ts';
export { isUniqueViolation } from './errors.ts';
