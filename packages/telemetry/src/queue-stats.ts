/** What the queue gauges show of one queue, read at scrape time. */
export interface QueueStats {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  /** 0 when nothing waits. */
  oldestWaitingAgeS: number;
}

/** Reads the stats of some queues (a process adds the queues it knows with `observeQueues`). */
export type QueueStatsSource = () => Promise<QueueStats[]>;
