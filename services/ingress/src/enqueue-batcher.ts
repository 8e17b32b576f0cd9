import { MicroBatcher, type MicroBatcherOptions } from '@imagegate/core';
import { generationQueueJobId, type ProviderQueue } from '@imagegate/queue';

export interface GenerationToEnqueue {
  queue: ProviderQueue;
  jobId: string;
}

/** Resolves with how many jobs wait ahead of the one just added (its queue position). */
export type EnqueueBatcher = MicroBatcher<GenerationToEnqueue, number>;

/**
 * Adds the generations accepted close together to their queues with one `addBulk` per queue (one
 * Redis round trip), then reads each queue's waiting count once for all of them. Idempotent like
 * `enqueueGeneration`: the BullMQ job id is the job's, so adding a job again changes nothing.
 */
export function createEnqueueBatcher(options: MicroBatcherOptions = {}): EnqueueBatcher {
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
        try {
          await queue.addBulk(
            indexes.map((index) => {
              const jobId = batch[index]?.jobId ?? '';
              return { name: 'generate', data: { jobId }, opts: { jobId: generationQueueJobId(jobId) } };
            }),
          );
        } catch (error) {
          for (const index of indexes) outcomes[index] = { status: 'rejected', reason: error };
          return;
        }
        // The queue position is an estimate anyway; a failed count must not fail an enqueued job.
        const waiting = await queue.getWaitingCount().catch(() => indexes.length);
        indexes.forEach((index, order) => {
          outcomes[index] = { status: 'fulfilled', value: Math.max(0, waiting - (indexes.length - order)) };
        });
      }),
    );
    return outcomes;
  }, options);
}
