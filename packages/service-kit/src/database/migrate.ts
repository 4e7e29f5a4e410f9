import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';

export type ServiceName = 'evidence-collector' | 'assessment' | 'certification-body';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export function migrationsFolder(service: ServiceName): string {
  return path.join(repositoryRoot, 'migrations', service);
}

/** Applies every pending migration of one service; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>, service: ServiceName): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({
      fs,
      path,
      migrationFolder: migrationsFolder(service),
      import: (filePath) => import(pathToFileURL(filePath).href),
    }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} of ${service} failed: ${cause}`, {
      cause: error,
    });
  }
  return (results ?? []).map((result) => result.migrationName);
}
