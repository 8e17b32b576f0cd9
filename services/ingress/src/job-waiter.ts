import type { JobEvent } from '@imagegate/contracts';
import { findFinishedJobIds, type Pool } from '@imagegate/db';

export type WaitOutcome = 'finished' | 'timeout' | 'aborted';

/** How a wait ended; a job that finished with an event (not found by the sweep) has it. */
export interface WaitResult {
  outcome: WaitOutcome;
  event?: JobEvent | undefined;
}

interface Waiting {
  resolve: (result: WaitResult) => void;
  timer: NodeJS.Timeout;
  since: number;
  /** When the wait runs out (a timestamp). */
  until: number;
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
  /** Set by `endWaitsBy`: no wait lasts past it. */
  #endBy = Number.POSITIVE_INFINITY;

  constructor(pool: Pool, options: { sweepIntervalMs?: number } = {}) {
    this.#pool = pool;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 2_000;
  }

  start(): void {
    this.#sweepTimer = setInterval(() => void this.#sweep(), this.#sweepIntervalMs);
    this.#sweepTimer.unref();
  }

  /**
   * Ends every wait, present and future, by `at` (a timestamp) as if its time had run out: a
   * shutting-down ingress answers its waiting requests 202 with the job instead of leaving them.
   * Notifications and the sweep go on, so a job finishing before then is still answered.
   */
  endWaitsBy(at: number): void {
    this.#endBy = at;
    for (const [jobId, waiters] of this.#waiting) {
      for (const waiting of waiters) {
        if (waiting.until <= at) continue;
        clearTimeout(waiting.timer);
        waiting.until = at;
        waiting.timer = setTimeout(() => this.#settle(jobId, waiting, 'timeout'), at - Date.now());
      }
    }
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
  wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult> {
    return new Promise((resolve) => {
      const waiters = this.#waiting.get(jobId) ?? new Set<Waiting>();
      this.#waiting.set(jobId, waiters);
      const since = Date.now();
      const until = Math.min(since + timeoutMs, this.#endBy);
      const waiting: Waiting = {
        resolve,
        timer: setTimeout(() => this.#settle(jobId, waiting, 'timeout'), until - since),
        since,
        until,
      };
      waiters.add(waiting);
      if (signal?.aborted) this.#settle(jobId, waiting, 'aborted');
      signal?.addEventListener('abort', () => this.#settle(jobId, waiting, 'aborted'), { once: true });
    });
  }

  notify(event: JobEvent): void {
    this.#resolveAll(event.jobId, 'finished', event);
  }

  #resolveAll(jobId: string, outcome: WaitOutcome, event?: JobEvent): void {
    for (const waiting of this.#waiting.get(jobId) ?? []) this.#settle(jobId, waiting, outcome, event);
  }

  #settle(jobId: string, waiting: Waiting, outcome: WaitOutcome, event?: JobEvent): void {
    const waiters = this.#waiting.get(jobId);
    if (waiters === undefined || !waiters.delete(waiting)) return;
    if (waiters.size === 0) this.#waiting.delete(jobId);
    clearTimeout(waiting.timer);
    waiting.resolve({ outcome, event });
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
