import type { Logger } from '@imagegate/core';
import { createPool } from '@imagegate/db';
import { createRedisConnection } from '@imagegate/queue';
import type { SettlementConfig } from './config.ts';
import type { SettlementFaults } from './settle-jobs.ts';
import { type RunningSettlementWorker, startSettlementWorker } from './start-settlement-worker.ts';

/**
 * Opens the connections the config names (pool, Redis), starts `startSettlementWorker` on them,
 * and closes them all on `close()`: what `main.ts`, `pnpm start` and the test stack run.
 */
export async function startSettlementWorkerFromConfig(
  config: SettlementConfig,
  logger: Logger,
  faults?: SettlementFaults,
): Promise<RunningSettlementWorker> {
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
    async close() {
      await running.close();
      redis.disconnect();
      await pool.end();
    },
  };
}
