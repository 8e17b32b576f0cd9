import { z } from 'zod';
import { generationQueueJobId, type ProviderQueue } from './provider-queue.ts';
import type { Redis } from './redis-connection.ts';

// BullMQ pushes new entries on the head of a queue's wait list and workers take them from the
// tail, so what waits ahead of an entry is everything between it and the tail.
const POSITIONS_SCRIPT = `
local length = redis.call('LLEN', KEYS[1])
local positions = {}
for index, id in ipairs(ARGV) do
  local at = redis.call('LPOS', KEYS[1], id)
  positions[index] = at and (length - 1 - at) or -1
end
return positions`;

const positionsSchema = z.array(z.int());

/**
 * How many entries wait ahead of each given job in its provider queue: THE queue position, shown
 * by the 202 and by every read of a queued job. A job that is queued in Postgres but not in the
 * wait list (about to start, or waiting out a retry's backoff) is at 0. One round trip for all;
 * `redis` is a connection to the queue's Redis.
 */
export async function queuePositions(
  redis: Redis,
  queue: ProviderQueue,
  jobs: readonly { id: string; routeIndex: number }[],
): Promise<number[]> {
  if (jobs.length === 0) return [];
  const ids = jobs.map((job) => generationQueueJobId(job.id, job.routeIndex));
  const positions = positionsSchema.parse(await redis.eval(POSITIONS_SCRIPT, 1, queue.toKey('wait'), ...ids));
  return positions.map((position) => Math.max(0, position));
}
