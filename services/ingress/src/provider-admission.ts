import { type Logger, OverloadedError } from '@imagegate/core';
import {
  type CallLimiterHold,
  callSpacingMs,
  limitFor,
  type ProviderLimit,
  type ProviderLimits,
  type ProviderQueue,
  type Redis,
  readCallLimiterHold,
  workerHeartbeatKey,
} from '@imagegate/queue';
import type { LimitHold } from './limit-hold.ts';
import { LimitHoldLog } from './limit-hold-log.ts';

/** How long a provider's queue depth, worker heartbeat and limiter state are trusted before being read again. */
const FRESH_MS = 250;

/** A job expected to start at least this much later than now is held back by its provider's limit. */
export const HELD_BACK_MS = 1_000;

interface ProviderState {
  waiting: number;
  served: boolean;
  /** What held the provider's next call when this was read (undefined: the read failed). */
  hold: CallLimiterHold | undefined;
  readAt: number;
}

/** When a queued job should start, and, when its provider's limit holds it back, what does. */
export interface ProviderWait {
  /** Unix seconds. */
  estimatedStartAt: number;
  /** Set when the job should start `HELD_BACK_MS` or more from now. */
  heldBy: LimitHold | undefined;
}

/**
 * Backpressure at the door, and the wait a provider's limit imposes. A provider whose queue holds
 * more jobs than its limit allows gets a fast 503 `overloaded` with Retry-After (the time its
 * backlog takes to drain down to the bound) instead of a request that waits forever; a provider no
 * worker has served in the last 30 s gets 503 `provider_unavailable`. Both are decided before the
 * hold, so a refused request costs nothing. A queued job's expected start counts the jobs ahead of
 * it at the provider's pace, after any pause an upstream 429 asked for and the limiter's next slot;
 * when that is a second or more away the job is held back, and the log says so once a minute per
 * provider. Reads are shared for a quarter of a second: a burst costs a few Redis calls, not one each,
 * and while requests keep coming the next read starts halfway through, so they do not wait for Redis.
 */
export class ProviderAdmission {
  /** The last state read per provider, and when its read started. */
  readonly #reads = new Map<string, { at: number; state: ProviderState }>();
  readonly #reading = new Map<string, Promise<ProviderState>>();

  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #queues: ReadonlyMap<string, ProviderQueue>;
  readonly #limits: ProviderLimits;
  readonly #holdLog: LimitHoldLog | undefined;

  constructor(
    redis: Redis,
    prefix: string,
    queues: ReadonlyMap<string, ProviderQueue>,
    limits: ProviderLimits,
    logger?: Logger,
  ) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#queues = queues;
    this.#limits = limits;
    this.#holdLog = logger && new LimitHoldLog(logger);
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

  /**
   * When a job with `position` jobs ahead of it should start, and what holds it back if that is a
   * second or more away. Uses the provider's shared read (no Redis call when one is fresh); when
   * Redis cannot say, the estimate is the drain time alone and nothing is named.
   */
  async waitOf(provider: string, position: number): Promise<ProviderWait> {
    const queue = this.#queues.get(provider);
    const state = queue && (await Promise.resolve(this.#state(provider, queue)).catch(() => undefined));
    const now = Date.now();
    const limit = limitFor(this.#limits, provider);
    const drainMs = this.#drainMs(provider, position);
    const elapsed = state === undefined ? 0 : now - state.readAt;
    const pausedMs = Math.max(0, (state?.hold?.pausedMs ?? 0) - elapsed);
    const nextSlotMs = Math.max(0, (state?.hold?.nextSlotMs ?? 0) - elapsed);
    const waitMs = Math.max(pausedMs, nextSlotMs) + drainMs;
    const estimatedStartAt = Math.ceil((now + waitMs) / 1000);
    if (waitMs < HELD_BACK_MS) return { estimatedStartAt, heldBy: undefined };
    const cause = pausedMs > 0 && pausedMs >= nextSlotMs ? 'upstream_pause' : 'rate_limit';
    const heldBy: LimitHold = { provider, cause, limit, ahead: position, waitMs };
    // The shared read may predate this job's enqueue: at least it and the jobs ahead of it wait.
    const waiting = Math.max(state?.waiting ?? 0, position + 1);
    this.#holdLog?.note(heldBy, {
      waiting,
      backlogWaitMs: Math.max(pausedMs, nextSlotMs) + this.#drainMs(provider, waiting),
    });
    return { estimatedStartAt, heldBy };
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
    const state = Promise.all([
      queue.getWaitingCount(),
      this.#redis.exists(workerHeartbeatKey(this.#prefix, provider)),
      // Sent with the others (no round trip of its own); only the estimate needs it, so its failure costs only that.
      readCallLimiterHold(this.#redis, this.#prefix, provider).catch(() => undefined),
    ])
      .then(([waiting, served, hold]): ProviderState => {
        const read = { waiting, served: served === 1, hold, readAt: Date.now() };
        this.#reads.set(provider, { at, state: read });
        return read;
      })
      // A failed read changes nothing: the next request tries again.
      .finally(() => this.#reading.delete(provider));
    this.#reading.set(provider, state);
    return state;
  }
}
