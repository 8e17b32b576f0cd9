import type { GenerationJobPayload } from '@imagegate/contracts';
import { providerQueueName, type Redis, subscribeJobChannels } from '@imagegate/queue';
import { Worker } from 'bullmq';
import { Cancellations } from './cancellations.ts';
import type { ProviderWorkerDeps } from './deps.ts';
import { drainWorkers } from './drain-workers.ts';
import { createGenerateImageProcessor } from './processors/generate-image.ts';
import { type Reconciler, startReconciler } from './reconciler.ts';

export interface RunningProviderWorker {
  workers: Worker<GenerationJobPayload>[];
  reconciler: Reconciler;
  /** Stops taking jobs, lets those in hand finish within the grace (or hands them back), then returns. */
  close(): Promise<void>;
}

/**
 * One BullMQ worker per provider this process serves. `subscriber` is a dedicated Redis connection
 * for cancel requests.
 */
export async function startProviderWorker(
  deps: ProviderWorkerDeps,
  options: { subscriber: Redis },
): Promise<RunningProviderWorker> {
  const cancellations = new Cancellations();
  await subscribeJobChannels(options.subscriber, deps.settings.redisPrefix, {
    onCancelRequest: (jobId) => cancellations.cancel(jobId),
  });
  const workers = [...deps.providers.values()].map((provider) => {
    const worker = new Worker<GenerationJobPayload>(
      providerQueueName(provider.name),
      createGenerateImageProcessor(deps, provider, cancellations),
      {
        connection: deps.redis,
        prefix: deps.settings.redisPrefix,
        concurrency: deps.settings.concurrency,
        // A killed worker's lock lapses ≤ lockDuration after its last renewal (every lockDuration/2)
        // and the next stalled check (≤ stalledInterval later) hands the job on: ≤ 12 s, within the
        // 15 s promised with room for a loaded machine.
        lockDuration: deps.settings.lockDurationMs ?? 8_000,
        stalledInterval: deps.settings.stalledIntervalMs ?? 4_000,
        maxStalledCount: 3,
      },
    );
    worker.on('error', (error) => deps.logger.error({ err: error, provider: provider.name }, 'worker error'));
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  const reconciler = startReconciler(deps, deps.settings.reconciler);
  return {
    workers,
    reconciler,
    async close() {
      await reconciler.stop();
      await drainWorkers(workers, deps.settings.shutdownGraceMs ?? 25_000);
      await options.subscriber.unsubscribe().catch(() => {});
    },
  };
}
