import { OverloadedError } from '@imagegate/core';
import {
  callSpacingMs,
  limitFor,
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
 * Reads are shared for a quarter of a second: a burst costs a few Redis calls, not one each, and
 * while requests keep coming the next read starts halfway through, so they do not wait for Redis.
 */
export class ProviderAdmission {
  /** The last state read per provider, and when its read started. */
  readonly #reads = new Map<string, { at: number; state: ProviderState }>();
  readonly #reading = new Map<string, Promise<ProviderState>>();

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

  /** When a job with `position` jobs ahead of it should start, at the provider's rate limit (unix s). */
  estimatedStartAt(provider: string, position: number, now = Date.now()): number {
    return Math.ceil((now + this.#drainMs(provider, position)) / 1000);
  }

  #drainMs(provider: string, jobs: number): number {
    return Math.ceil(jobs * callSpacingMs(limitFor(this.#limits, provider)));
  }

  #state(provider: string, queue: ProviderQueue): ProviderState | Promise<ProviderState> {
    const known = this.#reads.get(provider);
    const age = known === undefined ? Number.POSITIVE_INFINITY : Date.now() - known.at;
    if (known === undefined || age >= FRESH_MS) return this.#read(provider, queue);
    // Still fresh; past half its time, read again for the requests after this one.
    if (age >= FRESH_MS / 2) this.#read(provider, queue).catch(() => undefined);
    return known.state;
  }

  /** One read at a time per provider; its state replaces the known one when it arrives. */
  #read(provider: string, queue: ProviderQueue): Promise<ProviderState> {
    const pending = this.#reading.get(provider);
    if (pending !== undefined) return pending;
    const at = Date.now();
    const state = Promise.all([queue.getWaitingCount(), this.#redis.exists(workerHeartbeatKey(this.#prefix, provider))])
      .then(([waiting, served]): ProviderState => {
        const read = { waiting, served: served === 1 };
        this.#reads.set(provider, { at, state: read });
        return read;
      })
      // A failed read changes nothing: the next request tries again.
      .finally(() => this.#reading.delete(provider));
    this.#reading.set(provider, state);
    return state;
  }
}
