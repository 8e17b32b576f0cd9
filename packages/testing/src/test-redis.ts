import { randomBytes } from 'node:crypto';
import { createRedisConnection, deleteKeysWithPrefix, type Redis } from '@imagegate/queue';
import { testServices } from './provided.ts';

export interface TestRedis {
  url: string;
  /** Key prefix owned by this test alone. */
  prefix: string;
  /** A connection for the test's own use. */
  redis: Redis;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const url = testServices().redisUrl;
  const prefix = `igtest-${randomBytes(5).toString('hex')}`;
  const redis = createRedisConnection(url, { name: 'imagegate-test' });
  return {
    url,
    prefix,
    redis,
    async cleanup() {
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
