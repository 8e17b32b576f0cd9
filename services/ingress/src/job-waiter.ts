import type { JobEvent } from '@imagegate/contracts';
import { findFinishedJobIds, type Pool } from '@imagegate/db';

interface Waiting {
  resolve: (outcome: WaitOutcome) => void;
  timer: NodeJS.Timeout;
  since: number;
}

export type WaitOutcome = 'finished' | 'timeout' | 'aborted';

/**
 * Resolves waiting requests when their job finishes. One Redis subscription per process feeds
 * `notify`; a slow sweep asks Postgres about jobs waited on for a while, so a notification lost
 * to a Redis reconnect delays an answer by at most `sweepIntervalMs` instead of losing it.
 */
export class JobWaiter {
  readonly #pool: Pool;
  readonly #waiting = new Map<string, Waiting>();
  readonly #sweepIntervalMs: number;
  #sweepTimer: NodeJS.Timeout | undefined;

  constructor(pool: Pool, options: { sweepIntervalMs?: number } = {}) {
    this.#pool = pool;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 2_000;
  }

  start(): void {
    this.#sweepTimer = setInterval(() => void this.#sweep(), this.#sweepIntervalMs);
    this.#sweepTimer.unref();
  }

  stop(): void {
    clearInterval(this.#sweepTimer);
    for (const [jobId, waiting] of this.#waiting) this.#settle(jobId, waiting, 'aborted');
  }

  get size(): number {
    return this.#waiting.size;
  }

  /** Register before the job is enqueued, so a fast job cannot finish unseen. */
  wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#resolve(jobId, 'timeout'), timeoutMs);
      this.#waiting.set(jobId, { resolve, timer, since: Date.now() });
      signal?.addEventListener('abort', () => this.#resolve(jobId, 'aborted'), { once: true });
    });
  }

  notify(event: JobEvent): void {
    this.#resolve(event.jobId, 'finished');
  }

  #resolve(jobId: string, outcome: WaitOutcome): void {
    const waiting = this.#waiting.get(jobId);
    if (waiting) this.#settle(jobId, waiting, outcome);
  }

  #settle(jobId: string, waiting: Waiting, outcome: WaitOutcome): void {
    clearTimeout(waiting.timer);
    this.#waiting.delete(jobId);
    waiting.resolve(outcome);
  }

  async #sweep(): Promise<void> {
    const cutoff = Date.now() - this.#sweepIntervalMs;
    const stale = [...this.#waiting].filter(([, waiting]) => waiting.since < cutoff).map(([jobId]) => jobId);
    if (stale.length === 0) return;
    try {
      const finished = await findFinishedJobIds(this.#pool, stale);
      for (const jobId of finished.keys()) this.#resolve(jobId, 'finished');
    } catch {
      // The database is unreachable for a moment: the next sweep tries again.
    }
  }
}
