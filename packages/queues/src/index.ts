export { queueRegistry, type QueueName, type QueuePayload } from './queue-registry.ts';
export { createRedis, deleteRedisKeys, isRedisReachable, isRedisReady, type Redis } from './redis.ts';
export {
  TypedQueue,
  startWorker,
  cappedBackoffDelay,
  type CappedBackoff,
  type QueueContext,
  type TypedWorker,
} from './typed-queue.ts';
