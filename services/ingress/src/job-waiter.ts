import type { JobEvent } from '@imagegate/contracts';
import { findFinishedJobIds, type Pool } from '@imagegate/db';

export type WaitOutcome = 'finished' | 'timeout' | 'aborted';

interface Waiting {
  resolve: (outcome: WaitOutcome) => void;
  timer: NodeJS.Timeout;
  since: number;
}

/**
 * Resolves waiting requests when their job finishes. One Redis subscription per process feeds
 * `notify`; a slow sweep asks Postgres about jobs waited on for a while, so a notification lost
 * to a Redis reconnect delays an answer by at most `sweepIntervalMs` instead of losing it.
 * Several requests may wait on one job (idempotent replays).
 */
export class JobWaiter {
  readonly #pool: Pool;
  readonly #waiting = new Map<string, Set<Waiting>>();
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
    for (const jobId of [...this.#waiting.keys()]) this.#resolveAll(jobId, 'aborted');
  }

  /** Jobs currently waited on. */
  get size(): number {
    return this.#waiting.size;
  }

  /**
   * Waits for `jobId` to finish. Register before the job can finish unseen (before enqueueing, or
   * re-read the job after registering). Aborting `signal` withdraws this wait.
   */
  wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      const waiters = this.#waiting.get(jobId) ?? new Set<Waiting>();
      this.#waiting.set(jobId, waiters);
      const waiting: Waiting = {
        resolve,
        timer: setTimeout(() => this.#settle(jobId, waiting, 'timeout'), timeoutMs),
        since: Date.now(),
      };
      waiters.add(waiting);
      if (signal?.aborted) this.#settle(jobId, waiting, 'aborted');
      signal?.addEventListener('abort', () => this.#settle(jobId, waiting, 'aborted'), { once: true });
    });
  }

  notify(event: JobEvent): void {
    this.#resolveAll(event.jobId, 'finished');
  }

  #resolveAll(jobId: string, outcome: WaitOutcome): void {
    for (const waiting of this.#waiting.get(jobId) ?? []) this.#settle(jobId, waiting, outcome);
  }

  #settle(jobId: string, waiting: Waiting, outcome: WaitOutcome): void {
    const waiters = this.#waiting.get(jobId);
    if (waiters === undefined || !waiters.delete(waiting)) return;
    if (waiters.size === 0) this.#waiting.delete(jobId);
    clearTimeout(waiting.timer);
    waiting.resolve(outcome);
  }

  async #sweep(): Promise<void> {
    const cutoff = Date.now() - this.#sweepIntervalMs;
    const stale = [...this.#waiting]
      .filter(([, waiters]) => [...waiters].some((waiting) => waiting.since < cutoff))
      .map(([jobId]) => jobId);
    if (stale.length === 0) return;
    try {
      const finished = await findFinishedJobIds(this.#pool, stale);
      for (const jobId of finished.keys()) this.#resolveAll(jobId, 'finished');
    } catch {
      // The database is unreachable for a moment: the next sweep tries again.
    }
  }
}
