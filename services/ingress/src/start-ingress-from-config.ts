import { loadCatalog, parseMarkupTiers } from '@imagegate/catalog';
import { type Logger, secretBoxFromEnv, usdToMicros } from '@imagegate/core';
import { createPool } from '@imagegate/db';
import { defaultProviderLimits, PROVIDERS } from '@imagegate/providers';
import {
  createProviderQueue,
  createRedisConnection,
  createSettlementStream,
  createWebhookQueue,
  parseProviderLimits,
  readQueueStats,
  readSettlementStreamStats,
} from '@imagegate/queue';
import { objectStoreFromEnv } from '@imagegate/storage';
import { observeQueues, openTelemetry, type Telemetry } from '@imagegate/telemetry';
import { createWebhookUrlPolicy, type HostResolver } from '@imagegate/webhooks';
import type { IngressConfig } from './config.ts';
import { JobWaiter } from './job-waiter.ts';
import { ProviderAdmission } from './provider-admission.ts';
import { type RunningIngress, startIngress } from './start-ingress.ts';
import { JobProgressFeed } from './streaming/job-progress-feed.ts';

/**
 * Opens every connection the config names (pool, Redis, queues, object store), starts the ingress
 * on them with `startIngress`, and closes them all on `close()`: what `main.ts`, `pnpm start` and
 * the test stack run. `resolveHost` replaces DNS for the webhook URL guard (tests). `telemetry`:
 * the process's, when it runs other services too (their metrics then show at this `/metrics`);
 * without it the ingress makes its own from the config.
 */
export async function startIngressFromConfig(
  config: IngressConfig,
  logger: Logger,
  overrides: { resolveHost?: HostResolver; telemetry?: Telemetry } = {},
): Promise<RunningIngress> {
  const opened = await openTelemetry(config, 'imagegate-ingress', overrides.telemetry);
  const { telemetry } = opened;
  const pool = createPool(config.DATABASE_URL, {
    max: config.DATABASE_POOL_SIZE,
    applicationName: 'imagegate-ingress',
  });
  const redis = createRedisConnection(config.REDIS_URL, { name: 'imagegate-ingress' });
  const subscriber = createRedisConnection(config.REDIS_URL, { name: 'imagegate-ingress-events' });
  const catalog = loadCatalog({ file: config.CATALOG_FILE, providers: PROVIDERS });
  const queues = new Map(
    catalog
      .providers()
      .map((provider) => [
        provider,
        createProviderQueue(provider, { connection: redis, prefix: config.REDIS_PREFIX, logger }),
      ]),
  );
  const webhookQueue = createWebhookQueue({ connection: redis, prefix: config.REDIS_PREFIX, logger });
  const settlementStream = createSettlementStream({ connection: redis, prefix: config.REDIS_PREFIX });
  const store = objectStoreFromEnv(config);
  const allQueues = [...queues.values(), webhookQueue];
  const stopObservingQueues = observeQueues(telemetry.metrics, async () => [
    ...(await readQueueStats(allQueues)),
    await readSettlementStreamStats(settlementStream),
  ]);
  const ingress = await startIngress(
    {
      pool,
      redis,
      queues,
      admission: new ProviderAdmission(
        redis,
        config.REDIS_PREFIX,
        queues,
        parseProviderLimits(config.PROVIDER_LIMITS, defaultProviderLimits()),
        logger,
      ),
      webhookQueue,
      settlementStream,
      webhookUrlPolicy: createWebhookUrlPolicy({
        allowHosts: config.WEBHOOK_ALLOW_HOSTS,
        resolveHost: overrides.resolveHost,
      }),
      secretBox: secretBoxFromEnv(config),
      store,
      catalog,
      waiter: new JobWaiter(pool),
      progress: new JobProgressFeed(redis, config.REDIS_PREFIX),
      logger,
      telemetry,
      settings: {
        redisPrefix: config.REDIS_PREFIX,
        adminToken: config.ADMIN_TOKEN,
        imageUrlTtlS: config.IMAGE_URL_TTL_S,
        syncWaitMaxS: config.SYNC_WAIT_MAX_S,
        maxBodyBytes: config.MAX_BODY_BYTES,
        maxInputImageBytes: config.MAX_INPUT_IMAGE_BYTES,
        sseKeepAliveMs: config.SSE_KEEPALIVE_MS,
        imageFetchTimeoutMs: config.IMAGE_FETCH_TIMEOUT_MS,
        bodyTimeoutMs: config.BODY_TIMEOUT_MS,
        markupTiers: parseMarkupTiers(config.MARKUP_TIERS),
        starterCreditMicros: usdToMicros(config.STARTER_CREDIT_USD),
        webhookSecretGraceS: config.WEBHOOK_SECRET_GRACE_S,
      },
    },
    {
      port: config.PORT,
      host: config.HOST,
      subscriber,
      headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
      shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    },
  );
  return {
    ...ingress,
    async close() {
      await ingress.close();
      stopObservingQueues();
      await opened.close();
      await Promise.all(allQueues.map((queue) => queue.close()));
      subscriber.disconnect();
      redis.disconnect();
      store.close();
      await pool.end();
    },
  };
}
