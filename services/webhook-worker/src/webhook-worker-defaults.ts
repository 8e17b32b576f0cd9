import { DEFAULT_IMAGE_URL_TTL_S } from '@imagegate/core';

/** The webhook worker's defaults, shared by its config (`WEBHOOK_*`) and by callers that build its deps. */
export const WEBHOOK_WORKER_DEFAULTS = {
  /** Deliveries in flight per process: the work is waiting on receivers. */
  concurrency: 50,
  /** Longest a receiver may take to answer one attempt (ms). */
  timeoutMs: 15_000,
  /** Seconds the image URLs in a webhook stay valid (like the job resource's). */
  imageUrlTtlS: DEFAULT_IMAGE_URL_TTL_S,
  /** Milliseconds between sweeps for pending deliveries whose queue entry was lost. */
  sweepIntervalMs: 30_000,
  /** Seconds a delivery may be overdue before the sweep enqueues it again. */
  sweepGraceSeconds: 60,
  /**
   * How long a worker holds a delivery before others may consider it stalled (ms): a killed
   * worker's delivery is picked up again within about lock + stalled interval, same webhook-id.
   */
  lockDurationMs: 10_000,
  /** How often stalled deliveries are looked for (ms). */
  stalledIntervalMs: 5_000,
} as const;
