import type { GenerationJobPayload } from '@imagegate/contracts';
import type { Logger } from '@imagegate/core';
import { Queue } from 'bullmq';
import { logQueueErrors } from './queue-errors.ts';
import { providerQueueName } from './queue-names.ts';
import type { Redis } from './redis-connection.ts';

export type ProviderQueue = Queue<GenerationJobPayload>;

export interface QueueOptions {
  connection: Redis;
  /** Redis key prefix of every queue (default `imagegate`); tests use one per test. */
  prefix: string;
  /** Where the queue's connection errors go (`logQueueErrors`), instead of raw to stderr. */
  logger: Pick<Logger, 'warn'>;
}

/** Queue options every generation job gets. Retries are decided by the worker, which knows the error. */
export const GENERATION_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  // Postgres is the record: finished queue entries only cost Redis memory.
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600, count: 10_000 },
  // BullMQ would keep every attempt's stack trace in the job hash (an AWS SDK trace is ~1.5 KiB),
  // for 24 h on failed entries; `failedReason` keeps the message. Traces belong in the log.
  stackTraceLimit: 0,
} as const;

export function createProviderQueue(provider: string, options: QueueOptions): ProviderQueue {
  const queue = new Queue<GenerationJobPayload>(providerQueueName(provider), {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: GENERATION_JOB_OPTIONS,
  });
  logQueueErrors(queue, options.logger);
  return queue;
}

/**
 * The BullMQ job id of a job's step on its route: the imagegate job id for the requested model,
 * `<id>-f<n>` for its n-th fallback (which may be on the same queue as an earlier step).
 */
export function generationQueueJobId(jobId: string, routeIndex = 0): string {
  return routeIndex === 0 ? jobId : `${jobId}-f${routeIndex}`;
}

/** Which step of its route a BullMQ job id is (the inverse of generationQueueJobId). */
export function routeIndexOfQueueJobId(queueJobId: string | undefined): number {
  const match = /-f(\d+)$/.exec(queueJobId ?? '');
  return match ? Number(match[1]) : 0;
}

/** A step of a job to put in its provider's queue (`routeIndex` 0: the model asked for). */
export interface GenerationToEnqueue {
  jobId: string;
  routeIndex: number;
  /** W3C trace context of the span that enqueued it (tracing on): the worker continues that trace. */
  traceparent?: string | undefined;
}

/**
 * THE way work enters a provider queue (submission, fallback, reconciler), several jobs in one
 * round trip. Idempotent: the BullMQ job id is derived from the job id and its route step, so
 * adding a step twice is harmless.
 */
export async function enqueueGenerations(queue: ProviderQueue, jobs: readonly GenerationToEnqueue[]): Promise<void> {
  await queue.addBulk(
    jobs.map(({ jobId, routeIndex, traceparent }) => ({
      name: 'generate',
      data: traceparent === undefined ? { jobId } : { jobId, traceparent },
      opts: { jobId: generationQueueJobId(jobId, routeIndex) },
    })),
  );
}
