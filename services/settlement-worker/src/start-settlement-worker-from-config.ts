import type { Logger } from '@imagegate/core';
import { createPool } from '@imagegate/db';
import { createRedisConnection } from '@imagegate/queue';
import { openTelemetry, type Telemetry } from '@imagegate/telemetry';
import type { SettlementConfig } from './config.ts';
import type { SettlementFaults } from './settle-jobs.ts';
import { type RunningSettlementWorker, startSettlementWorker } from './start-settlement-worker.ts';

/**
 * Opens the connections the config names (pool, Redis), starts `startSettlementWorker` on them,
 * and closes them all on `close()`: what `main.ts`, `pnpm start` and the test stack run.
 * `telemetry` is the process's when it runs other services too (else its own, served on
 * `METRICS_PORT` when set).
 */
export async function startSettlementWorkerFromConfig(
  config: SettlementConfig,
  logger: Logger,
  faults?: SettlementFaults,
  overrides: { telemetry?: Telemetry } = {},
): Promise<RunningSettlementWorker> {
  const opened = await openTelemetry(config, 'imagegate-settlement-worker', overrides.telemetry);
  const pool = createPool(config.DATABASE_URL, {
    max: config.DATABASE_POOL_SIZE,
    applicationName: 'imagegate-settlement',
  });
  const redis = createRedisConnection(config.REDIS_URL, { name: 'imagegate-settlement' });
  const running = await startSettlementWorker({
    pool,
    redis,
    logger,
    faults,
    telemetry: opened.telemetry,
    settings: {
      redisPrefix: config.REDIS_PREFIX,
      concurrency: config.SETTLEMENT_CONCURRENCY,
      batchSize: config.SETTLEMENT_BATCH_SIZE,
      batchWaitMs: config.SETTLEMENT_BATCH_WAIT_MS,
      sweepIntervalMs: config.SETTLEMENT_SWEEP_INTERVAL_MS,
      sweepGraceSeconds: config.SETTLEMENT_SWEEP_GRACE_S,
    },
  });
  return {
    ...running,
    metricsUrl: opened.metricsUrl,
    async close() {
      await running.close();
      await opened.close();
      redis.disconnect();
      await pool.end();
    },
  };
}
