/** The provider worker's defaults, shared by its config (`WORKER_*`, `RECONCILE_*`…) and by callers that build its deps. */
export const PROVIDER_WORKER_DEFAULTS = {
  /** Jobs in flight per provider queue in this process: the work is waiting on upstreams. */
  concurrency: 50,
  /**
   * How long a worker holds a job before others may consider it stalled (ms). A killed worker's
   * lock lapses ≤ lockDuration after its last renewal (every lockDuration/2) and the next stalled
   * check (≤ stalledInterval later) hands the job on: ≤ 12 s, within the 15 s promised with room
   * for a loaded machine.
   */
  lockDurationMs: 8_000,
  /** How often stalled jobs are looked for (ms). */
  stalledIntervalMs: 4_000,
  /** On close, how long the jobs in hand may take before the workers close anyway (ms). */
  shutdownGraceMs: 25_000,
  /** The reconciler's sweep; see `startReconciler`. */
  reconciler: {
    /** Milliseconds between sweeps for jobs whose queue entry Redis lost. */
    intervalMs: 10_000,
    /** Seconds a job must have existed before the reconciler looks at it. */
    graceSeconds: 20,
    /** Starts of a job whose queue entry ended up failed before it is failed in Postgres. */
    maxAttempts: 10,
    /** Jobs read from Postgres per page. */
    batchSize: 500,
  },
} as const;
