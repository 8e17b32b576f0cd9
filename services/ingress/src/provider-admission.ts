import { OverloadedError } from '@imagegate/core';
import {
  callSpacingMs,
  limitFor,
  type ProviderLimit,
  type ProviderLimits,
  type ProviderQueue,
  type Redis,
  workerHeartbeatKey,
} from '@imagegate/queue';

/** How long a provider's queue depth and worker heartbeat are trusted before being read again. */
const FRESH_MS = 250;

interface ProviderState {
  waiting: number;
  served: boolean;
}

/**
 * Backpressure at the door. A provider whose queue holds more jobs than its limit allows gets a fast
 * 503 `overloaded` with Retry-After (the time its backlog takes to drain down to the bound) instead
 * of a request that waits forever; a provider no worker has served in the last 30 s gets 503
 * `provider_unavailable`. Both are decided before the hold, so a refused request costs nothing.
 * Reads are shared for a quarter of a second: a burst costs a few Redis calls, not one each.
 */
export class ProviderAdmission {
  readonly #reads = new Map<string, { at: number; state: Promise<ProviderState> }>();

  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #queues: ReadonlyMap<string, ProviderQueue>;
  readonly #limits: ProviderLimits;

  constructor(redis: Redis, prefix: string, queues: ReadonlyMap<string, ProviderQueue>, limits: ProviderLimits) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#queues = queues;
    this.#limits = limits;
  }

  async admit(provider: string): Promise<void> {
    const queue = this.#queues.get(provider);
    const state = queue && (await this.#state(provider, queue));
    if (state === undefined || !state.served) {
      throw new OverloadedError(`No worker is serving provider '${provider}' right now; try again shortly.`, {
        code: 'provider_unavailable',
        retryAfterMs: 10_000,
      });
    }
    const limit = limitFor(this.#limits, provider);
    if (state.waiting >= limit.maxQueued) {
      const excess = state.waiting - limit.maxQueued + 1;
      throw new OverloadedError(
        `The queue for provider '${provider}' is full (${state.waiting} jobs waiting); try again later.`,
        { retryAfterMs: Math.min(300_000, Math.max(1_000, this.#drainMs(provider, excess))) },
      );
    }
  }

  /** The limits this ingress admits `provider`'s jobs by (the workers' own, from the same settings). */
  limitOf(provider: string): ProviderLimit {
    return limitFor(this.#limits, provider);
  }

  /** When a job with `position` jobs ahead of it should start, at the provider's rate limit (unix s). */
  estimatedStartAt(provider: string, position: number, now = Date.now()): number {
    return Math.ceil((now + this.#drainMs(provider, position)) / 1000);
  }

  #drainMs(provider: string, jobs: number): number {
    return Math.ceil(jobs * callSpacingMs(limitFor(this.#limits, provider)));
  }

  #state(provider: string, queue: ProviderQueue): Promise<ProviderState> {
    const cached = this.#reads.get(provider);
    if (cached && Date.now() - cached.at < FRESH_MS) return cached.state;
    const state = Promise.all([
      queue.getWaitingCount(),
      this.#redis.exists(workerHeartbeatKey(this.#prefix, provider)),
    ]).then(([waiting, served]) => ({ waiting, served: served === 1 }));
    this.#reads.set(provider, { at: Date.now(), state });
    // A failed read is not kept: the next request tries again.
    state.catch(() => this.#reads.delete(provider));
    return state;
  }
}
