import { MicroBatcher, type MicroBatcherOptions } from '@imagegate/core';
import { enqueueGenerations, type ProviderQueue, queuePositions, type Redis } from '@imagegate/queue';

export interface QueuedSubmission {
  /** The queue of the step serving now. */
  queue: ProviderQueue;
  jobId: string;
  /** That step (0: the model asked for; a replay may find the job on a fallback). */
  routeIndex: number;
  /** The submitting request's trace, for the queue entry to carry (tracing on). */
  traceparent?: string | undefined;
  /**
   * Whether the answer needs the job's queue position (a 202 now). A request that waits for its
   * job reads the position again if the wait runs out, so it saves the round trip.
   */
  readPosition: boolean;
}

/**
 * Resolves with how many jobs wait ahead of the one just added (its queue position), or
 * undefined when it was not asked for.
 */
export type EnqueueBatcher = MicroBatcher<QueuedSubmission, number | undefined>;

/**
 * Adds the jobs accepted close together to their queues with one `enqueueGenerations` per queue
 * (one Redis round trip), then reads the queue positions asked for in one more (on `redis`).
 */
export function createEnqueueBatcher(redis: Redis, options: MicroBatcherOptions = {}): EnqueueBatcher {
  return new MicroBatcher(async (batch): Promise<PromiseSettledResult<number | undefined>[]> => {
    const outcomes = new Array<PromiseSettledResult<number | undefined>>(batch.length);
    const byQueue = new Map<ProviderQueue, number[]>();
    batch.forEach((item, index) => {
      const indexes = byQueue.get(item.queue);
      if (indexes) indexes.push(index);
      else byQueue.set(item.queue, [index]);
    });
    await Promise.all(
      [...byQueue].map(async ([queue, indexes]) => {
        const items = indexes.flatMap((index) => batch[index] ?? []);
        try {
          await enqueueGenerations(
            queue,
            items.map((item) => ({ jobId: item.jobId, routeIndex: item.routeIndex, traceparent: item.traceparent })),
          );
        } catch (error) {
          for (const index of indexes) outcomes[index] = { status: 'rejected', reason: error };
          return;
        }
        const placed = items
          .filter((item) => item.readPosition)
          .map((item) => ({ id: item.jobId, routeIndex: item.routeIndex }));
        // The position is an estimate anyway; a failed read must not fail an enqueued job.
        const positions = placed.length === 0 ? [] : await queuePositions(redis, queue, placed).catch(() => []);
        let read = 0;
        indexes.forEach((index, order) => {
          const value = items[order]?.readPosition ? (positions[read++] ?? 0) : undefined;
          outcomes[index] = { status: 'fulfilled', value };
        });
      }),
    );
    return outcomes;
  }, options);
}
