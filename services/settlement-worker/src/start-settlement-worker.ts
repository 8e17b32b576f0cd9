import { hostname } from 'node:os';
import { type Logger, startPeriodicSweep } from '@imagegate/core';
import { findUnsettledJobIds, type Pool } from '@imagegate/db';
import { createSettlementStream, type Redis, type SettlementPayload } from '@imagegate/queue';
import { contextOfTraceparent, inSpan, type Telemetry, unobservedTelemetry } from '@imagegate/telemetry';
import { type LossListener, type SettlementFaults, type SettlementOutcome, settleJobs } from './settle-jobs.ts';
import { SETTLEMENT_DEFAULTS } from './settlement-defaults.ts';
import { recordSettlements } from './settlement-metrics.ts';
import { SettlementStreamReader } from './settlement-stream-reader.ts';

export interface SettlementWorkerDeps {
  pool: Pool;
  /** Acks, claims and the metrics' reads; the blocking reads get a duplicate of it. */
  redis: Redis;
  logger: Logger;
  /** Metrics and tracing (default: metrics nobody reads, no tracing). */
  telemetry?: Telemetry | undefined;
  settings: {
    redisPrefix: string;
    /** Stream entries in hand in this process, in batches settled at once (default 256). */
    concurrency?: number;
    /** Jobs settled by one statement at most: the entries one read takes (default 100). */
    batchSize?: number;
    /** Milliseconds a read that found less than a batch waits for more before the batch goes anyway (default 2). */
    batchWaitMs?: number;
    /** How often the sweep looks for finished jobs with an open hold (ms, default 10000). */
    sweepIntervalMs?: number;
    /** How long a finished job may wait for its queued settlement before the sweep takes it (s, default 30). */
    sweepGraceSeconds?: number;
    /** This worker's consumer name in the stream's group (default: host, pid and a counter, so a restarted container takes back its own). */
    consumer?: string;
    /** How long another worker's entry may stay pending before this one takes it (ms, default 15000). */
    staleIdleMs?: number;
  };
  faults?: SettlementFaults;
}

export interface RunningSettlementWorker {
  /** The stream reader: `acknowledged` and `failed` events. */
  reader: SettlementStreamReader;
  /** One sweep now; returns how many jobs it settled. */
  sweep(): Promise<number>;
  /** The `METRICS_PORT` endpoint's base URL, when this service opened one (`start…FromConfig`). */
  metricsUrl?: string | undefined;
  close(): Promise<void>;
}

/** Readers started in this process so far: the default consumer names differ within a process. */
let readersStarted = 0;

/**
 * The settlement stream's reader plus the sweep that settles what the stream lost. Entries stay
 * one per job, but a read takes a batch of them and one statement settles it, so a busy worker
 * pays Redis a few commands per batch rather than per job. Built from deps the caller opened and
 * keeps owning: `close()` leaves them open (`startSettlementWorkerFromConfig` opens and closes its own).
 */
export async function startSettlementWorker(deps: SettlementWorkerDeps): Promise<RunningSettlementWorker> {
  const { pool, logger, settings } = deps;
  const telemetry = deps.telemetry ?? unobservedTelemetry();
  // A job whose upstream cost more than we charged is worth an operator's look (prices, markup).
  const warnOfLoss: LossListener = ({ jobId, chargedMicros, upstreamCostMicros }) =>
    logger.warn(
      { jobId, chargedMicros: String(chargedMicros), upstreamCostMicros: String(upstreamCostMicros) },
      'job cost more upstream than it was charged',
    );
  const settleBatch = async (payloads: SettlementPayload[]) => {
    const batch = settleJobs(
      pool,
      payloads.map((payload) => payload.jobId),
      deps.faults,
      warnOfLoss,
    ).then((results) => {
      recordSettlements(telemetry.metrics, results);
      return results;
    });
    // A span per job (continuing the trace of its ending) around its share of the batch.
    return Promise.allSettled(
      payloads.map(({ jobId, traceparent }, index) =>
        inSpan(
          telemetry.tracing.tracer,
          'settlement',
          { 'imagegate.job_id': jobId },
          async () => outcomeOf(await batch, index, jobId, logger),
          contextOfTraceparent(traceparent),
        ),
      ),
    );
  };
  const batchSize = settings.batchSize ?? SETTLEMENT_DEFAULTS.batchSize;
  const reader = new SettlementStreamReader({
    stream: createSettlementStream({ connection: deps.redis, prefix: settings.redisPrefix }),
    blocking: deps.redis.duplicate(),
    consumer: settings.consumer ?? `${hostname()}-${process.pid}-${readersStarted++}`,
    settle: settleBatch,
    logger,
    batchSize,
    batchWaitMs: settings.batchWaitMs ?? SETTLEMENT_DEFAULTS.batchWaitMs,
    maxBatchesInFlight: Math.max(1, Math.ceil((settings.concurrency ?? SETTLEMENT_DEFAULTS.concurrency) / batchSize)),
    staleIdleMs: settings.staleIdleMs,
  });
  await reader.start();

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
    reader,
    sweep,
    async close() {
      await periodic.stop();
      await reader.close();
    },
  };
}

/** One job's share of its batch's results: its outcome, or its error thrown (the span records it). */
function outcomeOf(
  results: PromiseSettledResult<SettlementOutcome>[],
  index: number,
  jobId: string,
  logger: Logger,
): SettlementOutcome {
  const result = results[index];
  if (result === undefined) throw new Error('settleJobs returned no result');
  if (result.status === 'rejected') throw result.reason;
  if (result.value.settled) logger.debug({ jobId, charged: String(result.value.chargedMicros) }, 'settled');
  return result.value;
}
