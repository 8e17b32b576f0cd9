/**
 * The settlement benchmark's imagegate pass: the production settlement worker, started by its own
 * composition root (`startSettlementWorkerFromConfig` with `loadSettlementConfig` defaults: concurrency,
 * batch size and wait, database pool size) in this process, draining one settlement stream entry
 * per job from Redis as the provider worker leaves them.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createLogger } from '@imagegate/core';
import {
  createRedisConnection,
  createSettlementStream,
  deleteKeysWithPrefix,
  type SettlementStream,
  settlementFields,
  settlementPayloadOf,
} from '@imagegate/queue';
import {
  loadSettlementConfig,
  type RunningSettlementWorker,
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
 * Adds a settlement stream entry per job (pipelined) before the worker starts, then times the
 * worker from its start until every entry is acknowledged (acked entries are deleted: the stream
 * is empty), or the budget ends: then the worker is closed, which lets the batches in hand finish,
 * and the pass is measured over the entries that left the stream.
 */
export const workerPass: Pass = async ({ databaseUrl, redisUrl, ids, budgetS }) => {
  const prefix = `bench-settle-${randomBytes(4).toString('hex')}`;
  const redis = createRedisConnection(redisUrl, { name: 'imagegate-bench-settle' });
  const stream = createSettlementStream({ connection: redis, prefix });
  let running: RunningSettlementWorker | undefined;
  try {
    for (let start = 0; start < ids.length; start += 1_000) {
      const pipeline = redis.pipeline();
      for (const jobId of ids.slice(start, start + 1_000)) pipeline.xadd(stream.key, '*', ...settlementFields(jobId));
      await pipeline.exec();
    }
    return await timed(async (deadline) => {
      let errors = 0;
      let firstError: string | undefined;
      running = await startSettlementWorkerFromConfig(
        workerConfig(databaseUrl, redisUrl, prefix),
        createLogger({ level: 'silent' }),
      );
      running.reader.on('failed', (_jobId, error) => {
        errors++;
        firstError ??= error.message;
      });
      let left = await redis.xlen(stream.key);
      while (left > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        left = await redis.xlen(stream.key);
      }
      const finishedAt = left === 0 ? performance.now() : undefined;
      await running.close();
      running = undefined;
      const unsettled = new Set(await jobIdsLeftIn(stream));
      const taken = new Set(ids.filter((jobId) => !unsettled.has(jobId)));
      return { taken, budgetHit: finishedAt === undefined, errors, firstError, finishedAt };
    }, budgetS);
  } finally {
    await running?.close();
    await deleteKeysWithPrefix(redis, prefix).catch(() => {});
    redis.disconnect();
  }
};

/** The job ids whose entries are still in the stream (not acknowledged). */
async function jobIdsLeftIn(stream: SettlementStream): Promise<string[]> {
  const entries = (await stream.redis.xrange(stream.key, '-', '+')) as [string, string[]][];
  return entries.map(([, fields]) => settlementPayloadOf(fields)?.jobId ?? '');
}
