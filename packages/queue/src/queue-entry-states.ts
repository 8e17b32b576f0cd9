import type { Queue } from 'bullmq';
import type { Redis } from './redis-connection.ts';

/**
 * Where a BullMQ job stands, as far as a reconciler cares: `missing` (no job hash: Redis lost it,
 * or it completed and was removed), `failed` or `completed` (kept in that finished set), `live`
 * (waiting, delayed, active, prioritized: some worker will or does run it).
 */
export type QueueEntryState = 'missing' | 'failed' | 'completed' | 'live';

/**
 * The state of each of `queueJobIds` on `queue`, in one pipelined round trip (three commands per
 * id, on BullMQ's key layout `<prefix>:<queue>:<id>` for the hash and `…:failed` / `…:completed`
 * for the finished sets), instead of one `getJob` + `getState` round trip per job. `redis` is a
 * connection to the queue's Redis.
 */
export async function findQueueEntryStates(
  redis: Redis,
  queue: Queue,
  queueJobIds: string[],
): Promise<Map<string, QueueEntryState>> {
  if (queueJobIds.length === 0) return new Map();
  const pipeline = redis.pipeline();
  const failedKey = queue.toKey('failed');
  const completedKey = queue.toKey('completed');
  for (const id of queueJobIds) {
    pipeline.exists(queue.toKey(id));
    pipeline.zscore(failedKey, id);
    pipeline.zscore(completedKey, id);
  }
  const replies = (await pipeline.exec()) ?? [];
  const states = new Map<string, QueueEntryState>();
  queueJobIds.forEach((id, index) => {
    const [exists, failed, completed] = replies.slice(index * 3, index * 3 + 3).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    if (exists === 0) states.set(id, 'missing');
    else if (failed !== null) states.set(id, 'failed');
    else if (completed !== null) states.set(id, 'completed');
    else states.set(id, 'live');
  });
  return states;
}
