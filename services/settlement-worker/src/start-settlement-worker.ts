import { type Logger, MicroBatcher, startPeriodicSweep } from '@imagegate/core';
import { findUnsettledJobIds, type Pool } from '@imagegate/db';
import { type Redis, SETTLEMENT_QUEUE, type SettlementPayload, settlementPayloadSchema } from '@imagegate/queue';
import { contextOfTraceparent, inSpan, type Telemetry, unobservedTelemetry } from '@imagegate/telemetry';
import { Worker } from 'bullmq';
import { type LossListener, type SettlementFaults, type SettlementOutcome, settleJobs } from './settle-jobs.ts';
import { SETTLEMENT_DEFAULTS } from './settlement-defaults.ts';
import { recordSettlements } from './settlement-metrics.ts';

export interface SettlementWorkerDeps {
  pool: Pool;
  redis: Redis;
  logger: Logger;
  /** Metrics and tracing (default: metrics nobody reads, no tracing). */
  telemetry?: Telemetry | undefined;
  settings: {
    redisPrefix: string;
    /** Queue entries in flight in this process; they wait in the batcher, so this bounds a batch (default 256). */
    concurrency?: number;
    /** Jobs settled by one statement at most (default 100). */
    batchSize?: number;
    /** Milliseconds a job waits for its batch to fill before the batch goes anyway (default 2). */
    batchWaitMs?: number;
    /** How often the sweep looks for finished jobs with an open hold (ms, default 10000). */
    sweepIntervalMs?: number;
    /** How long a finished job may wait for its queued settlement before the sweep takes it (s, default 30). */
    sweepGraceSeconds?: number;
  };
  faults?: SettlementFaults;
}

export interface RunningSettlementWorker {
  worker: Worker<SettlementPayload>;
  /** One sweep now; returns how many jobs it settled. */
  sweep(): Promise<number>;
  /** The `METRICS_PORT` endpoint's base URL, when this service opened one (`start…FromConfig`). */
  metricsUrl?: string | undefined;
  close(): Promise<void>;
}

/**
 * The settlement queue's worker plus the sweep that settles what the queue lost. Queue entries stay
 * one per job (BullMQ retries and acknowledges each), but their processors hand the job id to a
 * batcher, so a busy worker settles many jobs per statement and per commit. Built from deps the
 * caller opened and keeps owning: `close()` leaves them open (`startSettlementWorkerFromConfig`
 * opens and closes its own).
 */
export async function startSettlementWorker(deps: SettlementWorkerDeps): Promise<RunningSettlementWorker> {
  const { pool, logger, settings } = deps;
  const telemetry = deps.telemetry ?? unobservedTelemetry();
  const settle = async (jobIds: string[]) => {
    const results = await settleJobs(pool, jobIds, deps.faults, warnOfLoss);
    recordSettlements(telemetry.metrics, results);
    return results;
  };
  // A job whose upstream cost more than we charged is worth an operator's look (prices, markup).
  const warnOfLoss: LossListener = ({ jobId, chargedMicros, upstreamCostMicros }) =>
    logger.warn(
      { jobId, chargedMicros: String(chargedMicros), upstreamCostMicros: String(upstreamCostMicros) },
      'job cost more upstream than it was charged',
    );
  const batcher = new MicroBatcher<string, SettlementOutcome>(settle, {
    maxItems: settings.batchSize ?? SETTLEMENT_DEFAULTS.batchSize,
    maxWaitMs: settings.batchWaitMs ?? SETTLEMENT_DEFAULTS.batchWaitMs,
    // Batches touch accounts in id order, so several may run at once without deadlocking.
    maxInFlight: 8,
  });
  const worker = new Worker<SettlementPayload>(
    SETTLEMENT_QUEUE,
    async (job) => {
      const { jobId, traceparent } = settlementPayloadSchema.parse(job.data);
      // A span per job (continuing the trace of its ending) around its share of the batch.
      const outcome = await inSpan(
        telemetry.tracing.tracer,
        'settlement',
        { 'imagegate.job_id': jobId },
        () => batcher.add(jobId),
        contextOfTraceparent(traceparent),
      );
      if (outcome.settled) logger.debug({ jobId, charged: String(outcome.chargedMicros) }, 'settled');
    },
    {
      connection: deps.redis,
      prefix: settings.redisPrefix,
      concurrency: settings.concurrency ?? SETTLEMENT_DEFAULTS.concurrency,
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );
  worker.on('error', (error) => logger.error({ err: error }, 'settlement worker error'));
  await worker.waitUntilReady();

  async function sweep(): Promise<number> {
    const jobIds = await findUnsettledJobIds(pool, {
      graceSeconds: settings.sweepGraceSeconds ?? SETTLEMENT_DEFAULTS.sweepGraceSeconds,
      limit: 500,
    });
    if (jobIds.length === 0) return 0;
    const results = await settleJobs(pool, jobIds, {}, warnOfLoss);
    recordSettlements(telemetry.metrics, results);
    const settled = results.filter((result) => result.status === 'fulfilled' && result.value.settled).length;
    if (settled > 0) logger.info({ settled }, 'sweep settled jobs whose settlement was lost');
    return settled;
  }
  const periodic = startPeriodicSweep(sweep, {
    intervalMs: settings.sweepIntervalMs ?? SETTLEMENT_DEFAULTS.sweepIntervalMs,
    logger,
    name: 'settlement sweep',
  });

  return {
    worker,
    sweep,
    async close() {
      await periodic.stop();
      await worker.close();
      await batcher.drain();
    },
  };
}
