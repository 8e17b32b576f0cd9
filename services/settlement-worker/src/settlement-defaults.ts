/** The settlement worker's defaults, shared by its config (`SETTLEMENT_*`), its deps and the benchmark. */
export const SETTLEMENT_DEFAULTS = {
  /** Stream entries in hand per process: `concurrency / batchSize` batches (at least one) are settled at once. */
  concurrency: 256,
  /** Jobs settled by one statement at most: the entries one read takes. */
  batchSize: 100,
  /** Milliseconds a read that found less than a batch waits for more before the batch goes anyway. */
  batchWaitMs: 2,
  /** Milliseconds between sweeps for finished jobs with an open hold. */
  sweepIntervalMs: 10_000,
  /** Seconds a finished job waits for its settlement request before the sweep settles it. */
  sweepGraceSeconds: 30,
} as const;
