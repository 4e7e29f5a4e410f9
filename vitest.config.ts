import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/platform/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'clients/*/tests/**/*.test.ts',
    ],
    globalSetup: ['packages/testing/src/global-setup.ts'],
    // Generous: on a shared 2-core machine a test that starts the platform or spawns the CLI can wait its turn.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
