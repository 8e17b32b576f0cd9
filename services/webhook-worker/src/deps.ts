import type { Logger, SecretBox } from '@imagegate/core';
import type { Pool } from '@imagegate/db';
import type { Redis, WebhookQueue } from '@imagegate/queue';
import type { ObjectStore } from '@imagegate/storage';
import type { Telemetry } from '@imagegate/telemetry';
import type { WebhookUrlPolicy } from '@imagegate/webhooks';

/** What the webhook worker is built from. `startWebhookWorkerFromConfig` opens these from the config; tests may pass their own. */
export interface WebhookWorkerDeps {
  pool: Pool;
  /** Connection for BullMQ. */
  redis: Redis;
  /** The webhook queue, where the sweep puts back deliveries whose entry was lost. */
  queue: WebhookQueue;
  /** Presigns the image URLs of the job resource each attempt carries. */
  store: ObjectStore;
  /** The SSRF guard, applied again at the moment of connecting. */
  policy: WebhookUrlPolicy;
  /** Opens the accounts' sealed webhook secrets (`IMAGEGATE_SECRET_KEY`). */
  secretBox: SecretBox;
  logger: Logger;
  /** Metrics and tracing (default: metrics nobody reads, no tracing). */
  telemetry?: Telemetry | undefined;
  settings: WebhookWorkerSettings;
}

/** Each optional setting left out takes its value from `WEBHOOK_WORKER_DEFAULTS`. */
export interface WebhookWorkerSettings {
  redisPrefix: string;
  /** Delays before each retry (ms); once used up the delivery has failed. */
  retryScheduleMs: readonly number[];
  /** Longest a receiver may take to answer (ms, default 15000). */
  timeoutMs?: number;
  /** Seconds the image URLs in a webhook stay valid (default 3600). */
  imageUrlTtlS?: number;
  /** Deliveries in flight in this process (default 50). */
  concurrency?: number;
  /** How often the sweep looks for overdue pending deliveries (ms, default 30000). */
  sweepIntervalMs?: number;
  /** How overdue a delivery must be before the sweep enqueues it again (s, default 60). */
  sweepGraceSeconds?: number;
  /** How long a worker holds a delivery before others may consider it stalled (ms, default 10000). */
  lockDurationMs?: number;
  /** How often stalled deliveries are looked for (ms, default 5000). */
  stalledIntervalMs?: number;
}
