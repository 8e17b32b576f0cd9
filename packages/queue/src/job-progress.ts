import { type JobProgressEvent, jobProgressEventSchema } from '@imagegate/contracts';
import { jobProgressChannel, jobProgressKey } from './queue-names.ts';
import type { Redis } from './redis-connection.ts';

/** How long a job's progress stream outlives its last event: a replay a day later still finds it. */
const PROGRESS_TTL_MS = 24 * 60 * 60 * 1000;
/** Events kept per job (≤ 3 partials and 1 finished image per image, n ≤ 10, throttled progress): generous. */
const MAX_EVENTS = 500;

/** A progress event with its position in the job's stream. */
export interface ProgressEntry {
  id: string;
  event: JobProgressEvent;
}

/**
 * Appends one event to the job's progress stream and announces it on the progress channel, in one
 * round trip. The stream (not the channel) is the record: a request that subscribes late, or
 * misses a notification, reads what it missed with `readJobProgress`.
 */
export async function appendJobProgress(
  redis: Redis,
  prefix: string,
  jobId: string,
  event: JobProgressEvent,
): Promise<void> {
  const key = jobProgressKey(prefix, jobId);
  await redis
    .multi()
    .xadd(key, 'MAXLEN', '~', MAX_EVENTS, '*', 'event', JSON.stringify(event))
    .pexpire(key, PROGRESS_TTL_MS)
    .publish(jobProgressChannel(prefix), jobId)
    .exec();
}

/** The job's progress events after `afterId` (`0`: from the start), in order; malformed entries are skipped. */
export async function readJobProgress(
  redis: Redis,
  prefix: string,
  jobId: string,
  afterId = '0',
): Promise<ProgressEntry[]> {
  const entries = await redis.xrange(jobProgressKey(prefix, jobId), afterId === '0' ? '-' : `(${afterId}`, '+');
  return entries.flatMap(([id, fields]) => {
    const at = fields.indexOf('event');
    const parsed = jobProgressEventSchema.safeParse(safeJson(fields[at + 1]));
    return at >= 0 && parsed.success ? [{ id, event: parsed.data }] : [];
  });
}

function safeJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
