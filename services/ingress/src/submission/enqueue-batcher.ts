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
}

/** Resolves with how many jobs wait ahead of the one just added (its queue position). */
export type EnqueueBatcher = MicroBatcher<QueuedSubmission, number>;

/**
 * Adds the jobs accepted close together to their queues with one `enqueueGenerations` per queue
 * (one Redis round trip), then reads their queue positions in one more (on `redis`).
 */
export function createEnqueueBatcher(redis: Redis, options: MicroBatcherOptions = {}): EnqueueBatcher {
  return new MicroBatcher(async (batch): Promise<PromiseSettledResult<number>[]> => {
    const outcomes = new Array<PromiseSettledResult<number>>(batch.length);
    const byQueue = new Map<ProviderQueue, number[]>();
    batch.forEach((item, index) => {
      const indexes = byQueue.get(item.queue);
      if (indexes) indexes.push(index);
      else byQueue.set(item.queue, [index]);
    });
    await Promise.all(
      [...byQueue].map(async ([queue, indexes]) => {
        const jobs = indexes.flatMap((index) => {
          const item = batch[index];
          return item === undefined
            ? []
            : [{ id: item.jobId, routeIndex: item.routeIndex, traceparent: item.traceparent }];
        });
        try {
          await enqueueGenerations(
            queue,
            jobs.map((job) => ({ jobId: job.id, routeIndex: job.routeIndex, traceparent: job.traceparent })),
          );
        } catch (error) {
          for (const index of indexes) outcomes[index] = { status: 'rejected', reason: error };
          return;
        }
        // The position is an estimate anyway; a failed read must not fail an enqueued job.
        const positions = await queuePositions(redis, queue, jobs).catch(() => []);
        indexes.forEach((index, order) => {
          outcomes[index] = { status: 'fulfilled', value: positions[order] ?? 0 };
        });
      }),
    );
    return outcomes;
  }, options);
}
