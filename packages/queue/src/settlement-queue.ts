import type { SettlementPayload } from '@imagegate/contracts';
import { currentTraceparent } from '@imagegate/telemetry';
import { Queue } from 'bullmq';
import type { Redis } from './redis-connection.ts';

export const SETTLEMENT_QUEUE = 'settlement';

export { type SettlementPayload, settlementPayloadSchema } from '@imagegate/contracts';

export type SettlementQueue = Queue<SettlementPayload>;

export function createSettlementQueue(options: { connection: Redis; prefix: string }): SettlementQueue {
  return new Queue<SettlementPayload>(SETTLEMENT_QUEUE, {
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
