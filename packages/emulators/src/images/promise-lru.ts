/** Limits for {@link PromiseLru}. */
export interface PromiseLruOptions {
  /** Maximum number of entries kept. */
  maxEntries: number;
  /** Maximum total size (as reported by `sizeOf`) of settled entries, in bytes. */
  maxBytes: number;
}

interface Entry<V> {
  promise: Promise<V>;
  /** 0 until the value settles; in-flight entries are never evicted by size. */
  bytes: number;
}

/**
 * A least-recently-used cache of promises. Caching the promise (not the value) means a burst of
 * identical cold requests shares one render instead of encoding the same image hundreds of times.
 * Rejected entries are dropped so a transient failure is not cached.
 */
export class PromiseLru<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #options: PromiseLruOptions;
  #bytes = 0;
  /** Lookups answered from the cache (including in-flight renders). */
  hits = 0;
  /** Lookups that had to create the value. */
  misses = 0;

  constructor(options: PromiseLruOptions) {
    this.#options = options;
  }

  /** Returns the cached promise for `key`, or creates, caches and returns a new one. */
  getOrCreate(key: string, create: () => Promise<V>, sizeOf: (value: V) => number): Promise<V> {
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      // Map iteration order is insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, existing);
      this.hits++;
      return existing.promise;
    }
    this.misses++;
    const entry: Entry<V> = { promise: create(), bytes: 0 };
    this.#entries.set(key, entry);
    entry.promise.then(
      (value) => {
        if (this.#entries.get(key) !== entry) return;
        entry.bytes = sizeOf(value);
        this.#bytes += entry.bytes;
        this.#evict();
      },
      () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    this.#evict();
    return entry.promise;
  }

  /** Number of entries currently held. */
  get size(): number {
    return this.#entries.size;
  }

  #evict(): void {
    for (const [key, entry] of this.#entries) {
      const overBudget = this.#entries.size > this.#options.maxEntries || this.#bytes > this.#options.maxBytes;
      if (!overBudget) return;
      // Never drop the newest entry on size alone: one image bigger than the budget must still be served.
      if (this.#entries.size === 1) return;
      this.#entries.delete(key);
      this.#bytes -= entry.bytes;
    }
  }
}
