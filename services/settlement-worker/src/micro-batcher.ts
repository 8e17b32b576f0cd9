/** How a `MicroBatcher` groups items. */
export interface MicroBatcherOptions {
  /** Flush as soon as this many items wait (default 100). */
  maxItems?: number;
  /** Flush at most this many milliseconds after the first item of a batch arrived (default 2). */
  maxWaitMs?: number;
}

/**
 * Groups items handed in one at a time by concurrent callers into batches for one call of `flush`,
 * and answers each caller with its own item's result. A batch goes when it is full or `maxWaitMs`
 * after its first item; several batches may be in flight at once.
 *
 * `flush` returns one settled result per item, in order, so one item can fail without failing its
 * batch; if `flush` throws, every caller in that batch gets the error.
 */
export class MicroBatcher<Item, Result> {
  readonly #flush: (items: Item[]) => Promise<PromiseSettledResult<Result>[]>;
  readonly #maxItems: number;
  readonly #maxWaitMs: number;
  #waiting: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(flush: (items: Item[]) => Promise<PromiseSettledResult<Result>[]>, options: MicroBatcherOptions = {}) {
    this.#flush = flush;
    this.#maxItems = options.maxItems ?? 100;
    this.#maxWaitMs = options.maxWaitMs ?? 2;
  }

  /** Adds `item` to the next batch; resolves or rejects with that item's result. */
  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (this.#waiting.length >= this.#maxItems) this.#flushWaiting();
      else this.#timer ??= setTimeout(() => this.#flushWaiting(), this.#maxWaitMs);
    });
  }

  /** Sends what is waiting now and resolves when every batch in flight has been answered. */
  async drain(): Promise<void> {
    this.#flushWaiting();
    await Promise.all(this.#inFlight);
  }

  #flushWaiting(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#waiting;
    if (batch.length === 0) return;
    this.#waiting = [];
    const flushing = this.#flush(batch.map((waiting) => waiting.item)).then(
      (results) => {
        batch.forEach((waiting, index) => {
          const result = results[index];
          if (result === undefined) waiting.reject(new Error('the batch returned no result for this item'));
          else if (result.status === 'fulfilled') waiting.resolve(result.value);
          else waiting.reject(result.reason);
        });
      },
      (error: unknown) => {
        for (const waiting of batch) waiting.reject(error);
      },
    );
    this.#inFlight.add(flushing);
    void flushing.finally(() => this.#inFlight.delete(flushing));
  }
}
