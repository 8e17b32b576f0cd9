import { Redis } from 'ioredis';

export type { Redis };

/**
 * A Redis connection as BullMQ needs it: `maxRetriesPerRequest: null` so blocking commands wait
 * through reconnects instead of failing.
 */
export function createRedisConnection(url: string, options: { name?: string } = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: options.name });
}
