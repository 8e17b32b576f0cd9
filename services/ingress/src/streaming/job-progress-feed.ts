import { type ProgressEntry, type Redis, readJobProgress } from '@imagegate/queue';

type Listener = (entries: ProgressEntry[]) => void;

interface Follower {
  listener: Listener;
  /** The last entry delivered (`0`: none yet). */
  lastId: string;
  reading: Promise<void> | undefined;
  again: boolean;
}

/**
 * Delivers a job's progress events (partials, stored images) to the requests streaming it. One
 * Redis subscription per process says which job has news (`notify`); each follower then reads
 * its job's progress stream past what it has seen, so nothing is lost between subscribing and
 * reading, a notification lost to a reconnect is made up by a slow poll, and a request that joins
 * late starts from the beginning of the stream.
 */
export class JobProgressFeed {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #followers = new Map<string, Set<Follower>>();
  readonly #pollTimer: NodeJS.Timeout;

  constructor(redis: Redis, prefix: string, options: { pollIntervalMs?: number } = {}) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#pollTimer = setInterval(() => {
      for (const jobId of this.#followers.keys()) this.notify(jobId);
    }, options.pollIntervalMs ?? 1_000);
    this.#pollTimer.unref();
  }

  /** Starts delivering `jobId`'s events to `listener`, from the first; returns how to stop. */
  follow(jobId: string, listener: Listener): () => void {
    const follower: Follower = { listener, lastId: '0', reading: undefined, again: false };
    const followers = this.#followers.get(jobId) ?? new Set();
    followers.add(follower);
    this.#followers.set(jobId, followers);
    this.#read(jobId, follower);
    return () => {
      followers.delete(follower);
      if (followers.size === 0) this.#followers.delete(jobId);
    };
  }

  /** The job's stream has new events (from the subscription, or the poll). */
  notify(jobId: string): void {
    for (const follower of this.#followers.get(jobId) ?? []) this.#read(jobId, follower);
  }

  stop(): void {
    clearInterval(this.#pollTimer);
    this.#followers.clear();
  }

  /** One read at a time per follower; a notification during a read reads again after it. */
  #read(jobId: string, follower: Follower): void {
    if (follower.reading !== undefined) {
      follower.again = true;
      return;
    }
    follower.reading = (async () => {
      do {
        follower.again = false;
        const entries = await readJobProgress(this.#redis, this.#prefix, jobId, follower.lastId).catch(() => []);
        const last = entries.at(-1);
        if (last !== undefined) {
          follower.lastId = last.id;
          follower.listener(entries);
        }
      } while (follower.again);
    })()
      .catch(() => {}) // a listener's own failure ends this read; the next notification reads again
      .finally(() => {
        follower.reading = undefined;
      });
  }
}
