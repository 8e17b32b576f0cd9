import { type Logger, secretBoxFromEnv } from '@imagegate/core';
import { createPool } from '@imagegate/db';
import { createRedisConnection, createWebhookQueue } from '@imagegate/queue';
import { objectStoreFromEnv } from '@imagegate/storage';
import { openTelemetry, type Telemetry } from '@imagegate/telemetry';
import { createWebhookUrlPolicy, type HostResolver } from '@imagegate/webhooks';
import type { WebhookWorkerConfig } from './config.ts';
import { type RunningWebhookWorker, startWebhookWorker } from './start-webhook-worker.ts';

/**
 * Opens the connections the config names (pool, Redis, queue, object store), starts
 * `startWebhookWorker` on them, and closes them all on `close()`: what `main.ts`, `pnpm start` and
 * the test stack run. `resolveHost` replaces DNS for the URL guard (tests); `telemetry` is the
 * process's when it runs other services too (else its own, served on `METRICS_PORT` when set).
 */
export async function startWebhookWorkerFromConfig(
  config: WebhookWorkerConfig,
  logger: Logger,
  overrides: { resolveHost?: HostResolver; telemetry?: Telemetry } = {},
): Promise<RunningWebhookWorker> {
  const opened = await openTelemetry(config, 'imagegate-webhook-worker', overrides.telemetry);
  const pool = createPool(config.DATABASE_URL, {
    max: config.DATABASE_POOL_SIZE,
    applicationName: 'imagegate-webhooks',
  });
  const redis = createRedisConnection(config.REDIS_URL, { name: 'imagegate-webhooks' });
  const queue = createWebhookQueue({ connection: redis, prefix: config.REDIS_PREFIX, logger });
  const store = objectStoreFromEnv(config);
  const running = await startWebhookWorker({
    pool,
    redis,
    queue,
    store,
    policy: createWebhookUrlPolicy({ allowHosts: config.WEBHOOK_ALLOW_HOSTS, resolveHost: overrides.resolveHost }),
    secretBox: secretBoxFromEnv(config),
    logger,
    telemetry: opened.telemetry,
    settings: {
      redisPrefix: config.REDIS_PREFIX,
      retryScheduleMs: config.WEBHOOK_RETRY_SCHEDULE,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      imageUrlTtlS: config.IMAGE_URL_TTL_S,
      concurrency: config.WEBHOOK_CONCURRENCY,
      sweepIntervalMs: config.WEBHOOK_SWEEP_INTERVAL_MS,
      sweepGraceSeconds: config.WEBHOOK_SWEEP_GRACE_S,
    },
  });
  return {
    ...running,
    metricsUrl: opened.metricsUrl,
    async close() {
      await running.close();
      await opened.close();
      await queue.close();
      redis.disconnect();
      store.close();
      await pool.end();
    },
  };
}
