/** The settlement worker's defaults, shared by its config (`SETTLEMENT_*`), its deps and the benchmark. */
export const SETTLEMENT_DEFAULTS = {
  /** Queue entries in flight per process: they wait in the batcher, so this bounds how full batches get. */
  concurrency: 256,
  /** Jobs settled by one statement at most. */
  batchSize: 100,
  /** Milliseconds a job waits for its batch to fill before the batch goes anyway. */
  batchWaitMs: 2,
  /** Milliseconds between sweeps for finished jobs with an open hold. */
  sweepIntervalMs: 10_000,
  /** Seconds a finished job waits for its queued settlement before the sweep settles it. */
  sweepGraceSeconds: 30,
} as const;
