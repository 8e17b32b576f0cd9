import { type Logger, startPeriodicSweep } from '@imagegate/core';
import { findUnsettledJobIds, type Pool } from '@imagegate/db';
import { type Redis, SETTLEMENT_QUEUE, type SettlementPayload } from '@imagegate/queue';
import { Worker } from 'bullmq';
import { type SettlementFaults, settleJob } from './settle-job.ts';

export interface SettlementWorkerDeps {
  pool: Pool;
  redis: Redis;
  logger: Logger;
  settings: {
    redisPrefix: string;
    /** Settlements in flight in this process (default 20). */
    concurrency?: number;
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
  close(): Promise<void>;
}

/** The settlement queue's worker plus the sweep that settles what the queue lost. */
export async function startSettlementWorker(deps: SettlementWorkerDeps): Promise<RunningSettlementWorker> {
  const { pool, logger, settings } = deps;
  const worker = new Worker<SettlementPayload>(
    SETTLEMENT_QUEUE,
    async (job) => {
      const outcome = await settleJob(pool, job.data.jobId, deps.faults);
      if (outcome.settled) logger.debug({ jobId: job.data.jobId, charged: String(outcome.chargedMicros) }, 'settled');
    },
    {
      connection: deps.redis,
      prefix: settings.redisPrefix,
      concurrency: settings.concurrency ?? 20,
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );
  worker.on('error', (error) => logger.error({ err: error }, 'settlement worker error'));
  await worker.waitUntilReady();

  async function sweep(): Promise<number> {
    let settled = 0;
    for (const jobId of await findUnsettledJobIds(pool, {
      graceSeconds: settings.sweepGraceSeconds ?? 30,
      limit: 500,
    })) {
      if ((await settleJob(pool, jobId)).settled) settled++;
    }
    if (settled > 0) logger.info({ settled }, 'sweep settled jobs whose settlement was lost');
    return settled;
  }
  const periodic = startPeriodicSweep(sweep, {
    intervalMs: settings.sweepIntervalMs ?? 10_000,
    logger,
    name: 'settlement sweep',
  });

  return {
    worker,
    sweep,
    async close() {
      await periodic.stop();
      await worker.close();
    },
  };
}
