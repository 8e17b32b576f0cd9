/** What every adapter's upstream connection uses unless its config says otherwise. */
export const UPSTREAM_DEFAULTS = {
  /** Milliseconds one upstream call may take: a slow render (4K, Ultra, high quality) takes minutes. */
  timeoutMs: 600_000,
  /** Keep-alive connections per upstream. */
  connections: 128,
} as const;
