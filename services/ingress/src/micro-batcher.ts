/** What a batch run says about one of its items: its result, or the error that item answers with. */
export type ItemOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

export interface MicroBatcherOptions {
  /** Most items one run takes (default 64). */
  maxBatch?: number;
  /**
   * Most runs under way at once (default 2). While that many run, new items wait and join the next
   * batch: the busier the backend, the larger the batches, with no timer adding latency when idle.
   */
  maxInFlight?: number;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers the items added during one turn of the event loop (and while earlier runs are under
 * way) and hands them to `run` together, so N requests cost one round trip instead of N.
 * `run` returns one outcome per item, in order; if it throws, every item of that batch gets the error.
 */
export class MicroBatcher<Item, Result> {
  readonly #run: (items: Item[]) => Promise<ItemOutcome<Result>[]>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  #waiting: Waiting<Item, Result>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(run: (items: Item[]) => Promise<ItemOutcome<Result>[]>, options: MicroBatcherOptions = {}) {
    this.#run = run;
    this.#maxBatch = options.maxBatch ?? 64;
    this.#maxInFlight = options.maxInFlight ?? 2;
  }

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  // setImmediate runs after the I/O callbacks of this turn: every request parsed in it joins.
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#startRuns();
    });
  }

  #startRuns(): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.#maxInFlight) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      this.#inFlight++;
      void this.#runBatch(batch).finally(() => {
        this.#inFlight--;
        if (this.#waiting.length > 0) this.#schedule();
      });
    }
  }

  async #runBatch(batch: Waiting<Item, Result>[]): Promise<void> {
    let outcomes: ItemOutcome<Result>[];
    try {
      outcomes = await this.#run(batch.map((waiting) => waiting.item));
      if (outcomes.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} came back with ${outcomes.length} outcomes`);
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome?.error);
    });
  }
}
