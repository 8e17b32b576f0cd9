/** How a `MicroBatcher` groups items. */
export interface MicroBatcherOptions {
  /** Most items one batch takes (default 64); a full batch goes at once. */
  maxItems?: number;
  /**
   * Most batches under way at once (default 2). While that many run, new items wait and join the
   * next batch: the busier the backend, the larger the batches.
   */
  maxInFlight?: number;
  /**
   * How long a batch that is not full waits for more items after its first (default 0: only until
   * the rest of this event-loop turn has run, so an idle service adds no wait).
   */
  maxWaitMs?: number;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers items handed in one at a time by concurrent callers into batches for one call of `run`,
 * so N requests cost one round trip instead of N, and answers each caller with its own item's
 * result. `run` returns one settled result per item, in order, so one item can fail without
 * failing its batch; if `run` throws, every caller of that batch gets the error.
 */
export class MicroBatcher<Item, Result> {
  readonly #run: (items: Item[]) => Promise<PromiseSettledResult<Result>[]>;
  readonly #maxItems: number;
  readonly #maxInFlight: number;
  readonly #maxWaitMs: number;
  #waiting: Waiting<Item, Result>[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #scheduled: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(run: (items: Item[]) => Promise<PromiseSettledResult<Result>[]>, options: MicroBatcherOptions = {}) {
    this.#run = run;
    this.#maxItems = options.maxItems ?? 64;
    this.#maxInFlight = options.maxInFlight ?? 2;
    this.#maxWaitMs = options.maxWaitMs ?? 0;
  }

  /** Adds `item` to the next batch; resolves or rejects with that item's result. */
  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (this.#waiting.length >= this.#maxItems) this.#start({ fullOnly: true });
      else this.#schedule();
    });
  }

  /** Sends everything waiting now (whatever the limits) and resolves once every batch has been answered. */
  async drain(): Promise<void> {
    while (this.#waiting.length > 0 || this.#inFlight.size > 0) {
      this.#start({ fullOnly: false, ignoreLimit: true });
      await Promise.all(this.#inFlight);
    }
  }

  #schedule(): void {
    if (this.#scheduled !== undefined) return;
    const go = () => {
      this.#scheduled = undefined;
      this.#start({ fullOnly: false });
    };
    // setImmediate runs after this turn's I/O callbacks: every request parsed in it joins.
    this.#scheduled = this.#maxWaitMs > 0 ? setTimeout(go, this.#maxWaitMs) : setImmediate(go);
  }

  #cancelSchedule(): void {
    if (this.#scheduled === undefined) return;
    clearTimeout(this.#scheduled as NodeJS.Timeout);
    clearImmediate(this.#scheduled as NodeJS.Immediate);
    this.#scheduled = undefined;
  }

  /** Starts batches while there is room: only full ones, unless the wait for more is over. */
  #start(options: { fullOnly: boolean; ignoreLimit?: boolean }): void {
    while (
      this.#waiting.length > 0 &&
      (options.ignoreLimit || this.#inFlight.size < this.#maxInFlight) &&
      (!options.fullOnly || this.#waiting.length >= this.#maxItems)
    ) {
      const batch = this.#waiting.splice(0, this.#maxItems);
      const running = this.#runBatch(batch).finally(() => {
        this.#inFlight.delete(running);
        if (this.#waiting.length >= this.#maxItems) this.#start({ fullOnly: true });
        if (this.#waiting.length > 0) this.#schedule();
      });
      this.#inFlight.add(running);
    }
    if (this.#waiting.length === 0) this.#cancelSchedule();
  }

  async #runBatch(batch: Waiting<Item, Result>[]): Promise<void> {
    let results: PromiseSettledResult<Result>[];
    try {
      results = await this.#run(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} came back with ${results.length} results`);
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, index) => {
      const result = results[index] as PromiseSettledResult<Result>;
      if (result.status === 'fulfilled') waiting.resolve(result.value);
      else waiting.reject(result.reason);
    });
  }
}
