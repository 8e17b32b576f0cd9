import type { Queue } from 'bullmq';

/** One queue as the metrics' queue gauges show it. */
export interface QueueStatsReading {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  /** Age of the oldest entry waiting for a worker (0 when none waits). */
  oldestWaitingAgeS: number;
}

/** Reads `queues`' depths from Redis (a few commands per queue): what a `/metrics` scrape shows. */
export async function readQueueStats(queues: readonly Queue[]): Promise<QueueStatsReading[]> {
  return Promise.all(
    queues.map(async (queue) => {
      const [counts, oldestOfEach] = await Promise.all([
        queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed'),
        queue.getJobs(['waiting', 'prioritized'], 0, 0, true),
      ]);
      const oldest = Math.min(...oldestOfEach.map((entry) => entry.timestamp));
      return {
        queue: queue.name,
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        oldestWaitingAgeS: Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0,
      };
    }),
  );
}
