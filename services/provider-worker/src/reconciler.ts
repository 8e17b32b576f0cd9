import { InternalError, type PeriodicSweep, startPeriodicSweep } from '@imagegate/core';
import { findUnfinishedJobs, findUnfinishedJobsByIds, type UnfinishedJob } from '@imagegate/db';
import {
  endJobUnsuccessfully,
  enqueueGenerations,
  findQueueEntryStates,
  generationQueueJobId,
  jobEndingChannelsOf,
  type ProviderQueue,
  type QueueEntryState,
} from '@imagegate/queue';
import type { ProviderWorkerDeps } from './deps.ts';
import { PROVIDER_WORKER_DEFAULTS } from './provider-worker-defaults.ts';
import type { ReconcilerSettings } from './reconciler-settings.ts';

/** What one sweep did. */
export interface ReconcileReport {
  /** Jobs whose queue entry was gone and was added again. */
  reenqueued: number;
  /** Jobs whose queue entry had failed or completed while Postgres says unfinished, put back. */
  retried: number;
  /** Jobs given up on (failed in Postgres, hold released by settlement). */
  abandoned: number;
}

export interface Reconciler {
  /** One sweep now. */
  sweep(): Promise<ReconcileReport>;
  /** Stops the periodic sweep and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * Postgres is the record, Redis only carries work: this sweep finds jobs Postgres says are queued
 * or running whose BullMQ entry (on `providerQueueName(job.provider)`, id
 * `generationQueueJobId(job.id, job.route_index)`) is not live, and puts them back under the same
 * id, so adding is idempotent across replicas running the same sweep.
 *
 * - missing (Redis lost it: restart without persistence, flush, eviction; or it completed and was
 *   removed while Postgres still says unfinished): re-added. The processor skips a finished job.
 * - failed or completed while Postgres says unfinished: the processor finishes the job in
 *   Postgres before it returns on a last attempt, so this means the attempts ran out on errors
 *   outside the upstream (Postgres or S3 unreachable) or on repeated stalls (workers killed while
 *   holding it). Both are usually passing, so the entry is removed and re-added (fresh attempts and
 *   stall count); after `maxAttempts` starts the job is failed with a 500 instead.
 *
 * An entry is acted on when two consecutive sweeps find it not live (so a job is put back within
 * grace + two intervals), never on one sighting: see `reconcilePage`.
 *
 * Only the providers this process serves are looked at; other workers reconcile theirs.
 */
export function startReconciler(deps: ProviderWorkerDeps, settings: ReconcilerSettings = {}): Reconciler {
  const { pool, logger } = deps;
  const graceSeconds = settings.graceSeconds ?? PROVIDER_WORKER_DEFAULTS.reconciler.graceSeconds;
  const maxAttempts = settings.maxAttempts ?? PROVIDER_WORKER_DEFAULTS.reconciler.maxAttempts;
  const batchSize = settings.batchSize ?? PROVIDER_WORKER_DEFAULTS.reconciler.batchSize;
  const queues = new Map<string, ProviderQueue>(
    [...deps.providers.keys()].map((provider) => [provider, deps.queueFor(provider)]),
  );

  async function abandon(job: UnfinishedJob): Promise<void> {
    const error = new InternalError('The job could not be completed; it was attempted too many times.');
    await endJobUnsuccessfully(pool, jobEndingChannelsOf(deps), job.id, { status: 'failed', error });
  }

  async function repair(job: UnfinishedJob, state: QueueEntryState, report: ReconcileReport): Promise<void> {
    const queue = queues.get(job.provider);
    if (queue === undefined || state === 'live') return;
    const queueJobId = generationQueueJobId(job.id, job.route_index);
    const fields = { jobId: job.id, provider: job.provider, routeIndex: job.route_index, status: job.status };
    if (state === 'missing') {
      await enqueueGenerations(queue, [{ jobId: job.id, routeIndex: job.route_index }]);
      report.reenqueued++;
      logger.warn(fields, 'reconciler: queue entry lost; re-enqueued');
      return;
    }
    if (job.attempts >= maxAttempts) {
      await abandon(job);
      report.abandoned++;
      logger.error({ ...fields, attempts: job.attempts, queueState: state }, 'reconciler: job abandoned');
      return;
    }
    // A locked (active) entry is not removed; then the add below is a no-op, as it should be.
    await queue.remove(queueJobId);
    await enqueueGenerations(queue, [{ jobId: job.id, routeIndex: job.route_index }]);
    report.retried++;
    logger.warn({ ...fields, queueState: state }, 'reconciler: queue entry finished but job is not; re-enqueued');
  }

  /** Queue entries found not live by the previous sweep, as `<provider> <queue job id>`. */
  let suspectedBefore = new Set<string>();

  async function reconcilePage(
    page: UnfinishedJob[],
    report: ReconcileReport,
    suspectedNow: Set<string>,
  ): Promise<void> {
    const confirmed: { job: UnfinishedJob; state: QueueEntryState }[] = [];
    for (const [provider, queue] of queues) {
      const jobs = page.filter((job) => job.provider === provider);
      const states = await findQueueEntryStates(
        deps.redis,
        queue,
        jobs.map((job) => generationQueueJobId(job.id, job.route_index)),
      );
      for (const job of jobs) {
        const queueJobId = generationQueueJobId(job.id, job.route_index);
        const state = states.get(queueJobId) ?? 'live';
        if (state === 'live') continue;
        const key = `${provider} ${queueJobId}`;
        suspectedNow.add(key);
        // Seen twice, a sweep interval apart: a worker still running a job whose entry a flush took
        // finishes it within that interval, so re-adding it now would only call the upstream twice.
        if (suspectedBefore.has(key)) confirmed.push({ job, state });
      }
    }
    if (confirmed.length === 0) return;
    // A job that finished, or moved to another route step, since the page was read is left alone.
    const fresh = new Map(
      (
        await findUnfinishedJobsByIds(
          pool,
          confirmed.map(({ job }) => job.id),
        )
      ).map((job) => [job.id, job]),
    );
    for (const { job, state } of confirmed) {
      const now = fresh.get(job.id);
      if (now === undefined || now.provider !== job.provider || now.route_index !== job.route_index) continue;
      await repair(now, state, report);
    }
  }

  async function sweep(): Promise<ReconcileReport> {
    const report: ReconcileReport = { reenqueued: 0, retried: 0, abandoned: 0 };
    const suspectedNow = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await findUnfinishedJobs(pool, {
        providers: [...queues.keys()],
        graceSeconds,
        limit: batchSize,
        after,
      });
      await reconcilePage(page, report, suspectedNow);
      if (page.length < batchSize) break;
      after = page.at(-1)?.id;
    }
    suspectedBefore = suspectedNow;
    if (report.reenqueued + report.retried + report.abandoned > 0)
      logger.warn(report, 'reconciler sweep repaired jobs');
    return report;
  }

  const periodic: PeriodicSweep = startPeriodicSweep(sweep, {
    intervalMs: settings.intervalMs ?? PROVIDER_WORKER_DEFAULTS.reconciler.intervalMs,
    logger,
    name: 'reconciler sweep',
  });

  return {
    sweep,
    async stop() {
      await periodic.stop();
    },
  };
}
