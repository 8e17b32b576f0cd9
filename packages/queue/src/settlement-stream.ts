import type { SettlementPayload } from '@imagegate/contracts';
import { currentTraceparent } from '@imagegate/telemetry';
import type { Redis } from './redis-connection.ts';

/** The settlement requests' name where queues are listed (the metrics' `queue` label). */
export const SETTLEMENT_QUEUE = 'settlement';

/** The consumer group every settlement worker reads the stream in. */
export const SETTLEMENT_GROUP = 'settlers';

/**
 * How many settlement requests the stream keeps at most (approximately): a bound on Redis memory
 * if no settlement worker runs for a long time. What trimming drops, the sweep settles.
 */
export const SETTLEMENT_STREAM_MAX_LENGTH = 1_000_000;

export { type SettlementPayload, settlementPayloadSchema } from '@imagegate/contracts';

/**
 * Where finished jobs ask to be settled: one Redis Stream entry per job, read by the settlement
 * workers' consumer group in bulk (a read takes a whole batch, an ack clears a whole batch), where
 * a BullMQ queue spends several scripts, events and a lock per entry.
 */
export interface SettlementStream {
  redis: Redis;
  /** The stream's key (`<prefix>:settlement:stream`). */
  key: string;
}

export function settlementStreamKey(prefix: string): string {
  return `${prefix}:settlement:stream`;
}

/** The settlement stream under `prefix`, on a connection the caller keeps owning. */
export function createSettlementStream(options: { connection: Redis; prefix: string }): SettlementStream {
  return { redis: options.connection, key: settlementStreamKey(options.prefix) };
}

/**
 * Asks for a finished job to be settled. Settlement is exactly once per job in Postgres, so an
 * entry added twice (or redelivered) settles once; the sweep settles what Redis loses.
 */
export async function enqueueSettlement(stream: SettlementStream, jobId: string): Promise<void> {
  await stream.redis.xadd(stream.key, 'MAXLEN', '~', SETTLEMENT_STREAM_MAX_LENGTH, '*', ...settlementFields(jobId));
}

/**
 * An entry's fields: the job id, and with tracing on the ending's trace, so the job's settlement
 * joins its trace.
 */
export function settlementFields(jobId: string, traceparent = currentTraceparent()): string[] {
  return traceparent === undefined ? ['jobId', jobId] : ['jobId', jobId, 'traceparent', traceparent];
}

/** An entry's payload from its flat field list; undefined when it names no job. */
export function settlementPayloadOf(fields: readonly string[]): SettlementPayload | undefined {
  let jobId: string | undefined;
  let traceparent: string | undefined;
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] === 'jobId') jobId = fields[index + 1];
    else if (fields[index] === 'traceparent') traceparent = fields[index + 1];
  }
  if (jobId === undefined || jobId === '') return undefined;
  return traceparent === undefined ? { jobId } : { jobId, traceparent };
}

/**
 * Creates the consumer group (and the stream) if missing, reading from the stream's start: acked
 * entries are deleted, so whatever the stream holds still waits to be settled.
 */
export async function ensureSettlementGroup(stream: SettlementStream): Promise<void> {
  try {
    await stream.redis.xgroup('CREATE', stream.key, SETTLEMENT_GROUP, '0', 'MKSTREAM');
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
  }
}
