/** How the reconciler sweeps (see `startReconciler`); every field has a default. */
export interface ReconcilerSettings {
  /** Milliseconds between sweeps (default 10000). */
  intervalMs?: number;
  /**
   * Seconds a job must have existed before the reconciler looks at it (default 20): ingress inserts
   * a job before it enqueues it, and a job that young may simply not be enqueued yet.
   */
  graceSeconds?: number;
  /**
   * A job whose queue entry ended up failed is put back this many starts at most (default 10);
   * past that it is failed in Postgres, so a job that kills every worker cannot loop for ever.
   */
  maxAttempts?: number;
  /** Jobs read from Postgres per page (default 500). */
  batchSize?: number;
}
