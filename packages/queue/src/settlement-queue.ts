import type { SettlementPayload } from '@imagegate/contracts';
import { currentTraceparent } from '@imagegate/telemetry';
import { Queue } from 'bullmq';
import type { QueueOptions } from './provider-queue.ts';
import { logQueueErrors } from './queue-errors.ts';

export const SETTLEMENT_QUEUE = 'settlement';

export { type SettlementPayload, settlementPayloadSchema } from '@imagegate/contracts';

export type SettlementQueue = Queue<SettlementPayload>;

export function createSettlementQueue(options: QueueOptions): SettlementQueue {
  const queue = new Queue<SettlementPayload>(SETTLEMENT_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
      removeOnComplete: true,
      // No stack traces in Redis: up to one per attempt, each ~1 KiB or more (see GENERATION_JOB_OPTIONS).
      stackTraceLimit: 0,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  logQueueErrors(queue, options.logger);
  return queue;
}

/**
 * Asks for a finished job to be settled. Idempotent twice over: one queue entry per job id, and
 * settlement itself is exactly once per job in Postgres (the sweep settles what Redis loses).
 */
export async function enqueueSettlement(queue: SettlementQueue, jobId: string): Promise<void> {
  // With tracing on, the entry carries the ending's trace: the job's settlement joins its trace.
  const traceparent = currentTraceparent();
  await queue.add('settle', traceparent === undefined ? { jobId } : { jobId, traceparent }, {
    jobId: `settle-${jobId}`,
  });
}
