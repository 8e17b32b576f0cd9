import type { Logger } from '@imagegate/core';
import { createPool } from '@imagegate/db';
import { createConfiguredProviders, defaultProviderLimits, providerEnvNames } from '@imagegate/providers';
import {
  createProviderQueue,
  createRedisConnection,
  createSettlementStream,
  createWebhookQueue,
  type ProviderQueue,
  parseProviderLimits,
} from '@imagegate/queue';
import { objectStoreFromEnv } from '@imagegate/storage';
import { openTelemetry, type Telemetry } from '@imagegate/telemetry';
import type { WorkerConfig } from './config.ts';
import { type RunningProviderWorker, startProviderWorker } from './start-provider-worker.ts';

/**
 * Builds the adapters the environment has credentials for (each provider definition reads its own
 * variables), opens every connection the config names (pool, Redis, queues, object store), starts
 * `startProviderWorker` on them, and closes them all on `close()`: what `main.ts`, `pnpm start` and
 * the test stack run. `telemetry` is the process's when it runs other services too (else its own,
 * served on `METRICS_PORT` when set).
 */
export async function startProviderWorkerFromConfig(
  config: WorkerConfig,
  logger: Logger,
  overrides: { telemetry?: Telemetry } = {},
): Promise<RunningProviderWorker> {
  const all = createConfiguredProviders(config.providerEnv, { timeoutMs: config.UPSTREAM_TIMEOUT_MS });
  const wanted = config.WORKER_PROVIDERS?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const providers = new Map([...all].filter(([name]) => wanted === undefined || wanted.includes(name)));
  if (providers.size === 0) {
    throw new Error(
      `No provider to serve: set a provider's credentials (one of ${providerEnvNames().join(', ')}) and check WORKER_PROVIDERS.`,
    );
  }
  const opened = await openTelemetry(config, 'imagegate-provider-worker', overrides.telemetry);
  const limits = parseProviderLimits(config.PROVIDER_LIMITS, defaultProviderLimits());
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, applicationName: 'imagegate-worker' });
  const redis = createRedisConnection(config.REDIS_URL, { name: 'imagegate-worker' });
  const subscriber = createRedisConnection(config.REDIS_URL, { name: 'imagegate-worker-cancel' });
  const store = objectStoreFromEnv(config);
  const settlementStream = createSettlementStream({ connection: redis, prefix: config.REDIS_PREFIX });
  const webhookQueue = createWebhookQueue({ connection: redis, prefix: config.REDIS_PREFIX, logger });
  const providerQueues = new Map<string, ProviderQueue>();
  const queueFor = (provider: string): ProviderQueue => {
    let queue = providerQueues.get(provider);
    if (queue === undefined) {
      queue = createProviderQueue(provider, { connection: redis, prefix: config.REDIS_PREFIX, logger });
      providerQueues.set(provider, queue);
    }
    return queue;
  };
  const worker = await startProviderWorker(
    {
      pool,
      redis,
      store,
      settlementStream,
      webhookQueue,
      providers,
      queueFor,
      limits,
      logger,
      telemetry: opened.telemetry,
      settings: {
        redisPrefix: config.REDIS_PREFIX,
        concurrency: config.WORKER_CONCURRENCY,
        shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
        reconciler: { intervalMs: config.RECONCILE_INTERVAL_MS, graceSeconds: config.RECONCILE_GRACE_S },
        imageRetentionDays: config.IMAGE_RETENTION_DAYS,
      },
    },
    { subscriber },
  );
  logger.info({ providers: [...providers.keys()] }, 'provider worker running');
  return {
    ...worker,
    metricsUrl: opened.metricsUrl,
    async close() {
      await worker.close();
      await opened.close();
      await webhookQueue.close();
      await Promise.all([...providerQueues.values()].map((queue) => queue.close()));
      subscriber.disconnect();
      redis.disconnect();
      store.close();
      await pool.end();
    },
  };
}
