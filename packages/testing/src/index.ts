export { createTestDatabase, type TestDatabase } from './test-database.ts';
export { testRedisUrl, testQueuePrefix, deleteRedisPrefix } from './test-redis.ts';
export { waitFor } from './wait-for.ts';
