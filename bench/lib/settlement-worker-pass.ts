/**
 * The settlement benchmark's imagegate pass: the production settlement worker, started by its own
 * composition root (`startSettlementWorkerFromConfig` with `loadSettlementConfig` defaults: concurrency,
 * batch size and wait, database pool size) in this process, draining one settlement queue entry
 * per job from Redis as the provider worker leaves them.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createLogger } from '@imagegate/core';
import { createRedisConnection, createSettlementQueue, deleteKeysWithPrefix } from '@imagegate/queue';
import {
  loadSettlementConfig,
  type SettlementConfig,
  startSettlementWorkerFromConfig,
} from '@imagegate/settlement-worker';
import { type Pass, timed } from './pass-timing.ts';

/** The worker's config for a pass: its defaults, pointed at the scratch database and Redis prefix. */
function workerConfig(databaseUrl: string, redisUrl: string, prefix: string): SettlementConfig {
  return loadSettlementConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    // Every seeded job is older than the sweep's grace; keep the sweep out of the measurement.
    SETTLEMENT_SWEEP_INTERVAL_MS: '3600000',
    // Tuning knobs the caller may set to try other settings (the defaults are what is measured).
    SETTLEMENT_CONCURRENCY: process.env.SETTLEMENT_CONCURRENCY,
    SETTLEMENT_BATCH_SIZE: process.env.SETTLEMENT_BATCH_SIZE,
    SETTLEMENT_BATCH_WAIT_MS: process.env.SETTLEMENT_BATCH_WAIT_MS,
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE,
  });
}

/** The settings the pass runs with, for the report. */
export function workerSettings(databaseUrl: string): {
  concurrency: number;
  batchSize: number;
  batchWaitMs: number;
  poolSize: number;
} {
  const config = workerConfig(databaseUrl, 'redis://unused', 'unused');
  return {
    concurrency: config.SETTLEMENT_CONCURRENCY,
    batchSize: config.SETTLEMENT_BATCH_SIZE,
    batchWaitMs: config.SETTLEMENT_BATCH_WAIT_MS,
    poolSize: config.DATABASE_POOL_SIZE,
  };
}

/**
 * Enqueues a settlement entry per job while the worker is paused, then times the worker from
 * resume until every entry is acknowledged (or the budget ends: then the worker is closed, which
 * lets the entries in flight finish, and the pass is measured over the entries it completed).
 */
export const workerPass: Pass = async ({ databaseUrl, redisUrl, ids, budgetS }) => {
  const prefix = `bench-settle-${randomBytes(4).toString('hex')}`;
  const redis = createRedisConnection(redisUrl, { name: 'imagegate-bench-settle' });
  const queue = createSettlementQueue({ connection: redis, prefix, logger: createLogger({ level: 'silent' }) });
  const running = await startSettlementWorkerFromConfig(
    workerConfig(databaseUrl, redisUrl, prefix),
    createLogger({ level: 'silent' }),
  );
  let closed = false;
  try {
    await running.worker.pause();
    for (let start = 0; start < ids.length; start += 1_000) {
      await queue.addBulk(
        ids
          .slice(start, start + 1_000)
          .map((jobId) => ({ name: 'settle', data: { jobId }, opts: { jobId: `settle-${jobId}` } })),
      );
    }
    return await timed(async (deadline) => {
      const taken = new Set<string>();
      let errors = 0;
      let firstError: string | undefined;
      let finishedAt: number | undefined;
      const allDone = Promise.withResolvers<void>();
      running.worker.on('completed', (job) => {
        taken.add(job.data.jobId);
        if (taken.size === ids.length) {
          finishedAt = performance.now();
          allDone.resolve();
        }
      });
      running.worker.on('failed', (_job, error) => {
        errors++;
        firstError ??= error.message;
      });
      const budget = setTimeout(allDone.resolve, Math.max(0, deadline - performance.now()));
      await running.worker.resume();
      await allDone.promise;
      clearTimeout(budget);
      const budgetHit = finishedAt === undefined;
      await running.close();
      closed = true;
      return { taken, budgetHit, errors, firstError, finishedAt };
    }, budgetS);
  } finally {
    if (!closed) await running.close();
    await queue.close();
    await deleteKeysWithPrefix(redis, prefix).catch(() => {});
    redis.disconnect();
  }
};
