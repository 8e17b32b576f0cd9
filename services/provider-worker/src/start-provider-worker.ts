import type { GenerationJobPayload } from '@imagegate/contracts';
import { DEFAULT_IMAGE_RETENTION_DAYS, startPeriodicSweep } from '@imagegate/core';
import {
  beatWorkerHeartbeat,
  callSpacingMs,
  createCallLimiter,
  endWorkerHeartbeat,
  limitFor,
  newWorkerId,
  type ProviderLimit,
  providerQueueName,
  type Redis,
  subscribeJobChannels,
} from '@imagegate/queue';
import { unobservedTelemetry } from '@imagegate/telemetry';
import { Worker } from 'bullmq';
import { Cancellations } from './cancellations.ts';
import type { ProviderWorkerDeps } from './deps.ts';
import { drainWorkers } from './drain-workers.ts';
import { IMAGE_RETENTION_SWEEP_INTERVAL_MS, sweepExpiredImages } from './image-retention.ts';
import { inAttemptSpan } from './processors/attempt-span.ts';
import { createGenerateImageProcessor } from './processors/generate-image.ts';
import { PROVIDER_WORKER_DEFAULTS } from './provider-worker-defaults.ts';
import { type Reconciler, startReconciler } from './reconciler.ts';

/**
 * BullMQ's fixed-window limiter at twice the call limiter's pace (windows of at least 50 ms): a
 * worker polls a limited queue a little late, and admitting exactly at pace would lose that time
 * on every job; a job admitted early waits for its call slot in the worker, at most one spacing.
 */
function admissionLimit(limit: ProviderLimit): { max: number; duration: number } {
  const spacing = callSpacingMs(limit);
  const duration = Math.max(50, Math.ceil(spacing));
  return { max: Math.max(2, Math.floor((2 * duration) / spacing)), duration };
}

export interface RunningProviderWorker {
  workers: Worker<GenerationJobPayload>[];
  reconciler: Reconciler;
  /** The `METRICS_PORT` endpoint's base URL, when this service opened one (`start…FromConfig`). */
  metricsUrl?: string | undefined;
  /** Stops taking jobs, lets those in hand finish within the grace (or hands them back), then returns. */
  close(): Promise<void>;
}

/**
 * One BullMQ worker per provider this process serves, from deps the caller opened and keeps
 * owning: `close()` stops the workers but leaves the connections open
 * (`startProviderWorkerFromConfig` opens and closes its own). `subscriber` is a dedicated Redis
 * connection for cancel requests.
 */
export async function startProviderWorker(
  deps: ProviderWorkerDeps,
  options: { subscriber: Redis },
): Promise<RunningProviderWorker> {
  const cancellations = new Cancellations();
  await subscribeJobChannels(options.subscriber, deps.settings.redisPrefix, {
    onCancelRequest: (jobId) => cancellations.cancel(jobId),
  });
  const { redisPrefix } = deps.settings;
  const telemetry = deps.telemetry ?? unobservedTelemetry();
  const workers = [...deps.providers.values()].map((provider) => {
    const limit = limitFor(deps.limits, provider.name);
    const queue = deps.queueFor(provider.name);
    const lane = { queue, limiter: createCallLimiter(deps.redis, redisPrefix, provider.name, limit) };
    const worker = new Worker<GenerationJobPayload>(
      providerQueueName(provider.name),
      inAttemptSpan(
        telemetry,
        provider.name,
        createGenerateImageProcessor({ ...deps, telemetry }, provider, cancellations, lane),
      ),
      {
        connection: deps.redis,
        prefix: redisPrefix,
        concurrency: Math.min(deps.settings.concurrency, limit.concurrency),
        // Admits jobs at about the pace the call limiter lets calls go, so the rest wait (and show
        // their position) in the queue rather than in a worker. Also what lets a 429's Retry-After
        // pause the queue: BullMQ honours a manual rate limit only on a limited queue.
        limiter: admissionLimit(limit),
        // Together they bound how soon a killed worker's job is handed on (see the defaults).
        lockDuration: deps.settings.lockDurationMs ?? PROVIDER_WORKER_DEFAULTS.lockDurationMs,
        stalledInterval: deps.settings.stalledIntervalMs ?? PROVIDER_WORKER_DEFAULTS.stalledIntervalMs,
        maxStalledCount: 3,
      },
    );
    worker.on('error', (error) => deps.logger.error({ err: error, provider: provider.name }, 'worker error'));
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  // In flight across every worker process: BullMQ keeps the count in the queue's Redis metadata.
  await Promise.all(
    [...deps.providers.keys()].map((name) =>
      deps.queueFor(name).setGlobalConcurrency(limitFor(deps.limits, name).concurrency),
    ),
  );
  // Ingress answers 503 for a provider no worker has served lately, instead of queueing forever;
  // the admin API lists the workers serving each provider.
  const workerId = newWorkerId();
  const served = [...deps.providers.keys()];
  const beat = () => beatWorkerHeartbeat(deps.redis, redisPrefix, workerId, served);
  await beat();
  const heartbeat = startPeriodicSweep(beat, { intervalMs: 10_000, logger: deps.logger, name: 'worker heartbeat' });
  const reconciler = startReconciler(deps, deps.settings.reconciler);
  const retentionDays = deps.settings.imageRetentionDays ?? DEFAULT_IMAGE_RETENTION_DAYS;
  const retention = startPeriodicSweep(() => sweepExpiredImages(deps, { retentionDays }), {
    intervalMs: IMAGE_RETENTION_SWEEP_INTERVAL_MS,
    logger: deps.logger,
    name: 'image retention sweep',
  });
  return {
    workers,
    reconciler,
    async close() {
      await heartbeat.stop();
      await endWorkerHeartbeat(deps.redis, redisPrefix, workerId, served).catch(() => {});
      await reconciler.stop();
      await retention.stop();
      await drainWorkers(workers, deps.settings.shutdownGraceMs ?? PROVIDER_WORKER_DEFAULTS.shutdownGraceMs);
      await options.subscriber.unsubscribe().catch(() => {});
    },
  };
}
