import type { Logger } from '@imagegate/core';
import type { Queue } from 'bullmq';

/** One error line per queue at most this often while Redis stays away (ms). */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Logs a queue's errors (Redis dropped, a reconnect refused) through our logger. Without an
 * `error` listener BullMQ prints each one raw to stderr, outside the structured log, once per
 * reconnect attempt; here they are one warning per `intervalMs`, counting those folded into it.
 * The calls that fail meanwhile report their own errors where they are made.
 */
export function logQueueErrors<T>(
  queue: Queue<T>,
  logger: Pick<Logger, 'warn'>,
  intervalMs: number = ERROR_LOG_INTERVAL_MS,
): void {
  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  let folded = 0;
  queue.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastLoggedAt < intervalMs) {
      folded++;
      return;
    }
    logger.warn({ err: error, queue: queue.name, since_last: folded }, 'queue error (Redis unreachable?)');
    lastLoggedAt = now;
    folded = 0;
  });
}
