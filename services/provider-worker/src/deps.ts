import type { Logger } from '@imagegate/core';
import type { Pool } from '@imagegate/db';
import type { ImageProvider } from '@imagegate/providers';
import type { ProviderLimits, ProviderQueue, Redis, SettlementStream, WebhookQueue } from '@imagegate/queue';
import type { ObjectStore } from '@imagegate/storage';
import type { Telemetry } from '@imagegate/telemetry';
import type { ReconcilerSettings } from './reconciler-settings.ts';

export interface ProviderWorkerDeps {
  pool: Pool;
  /** Connection for BullMQ and for publishing job events. */
  redis: Redis;
  store: ObjectStore;
  /** Where finished jobs go to have their hold settled. */
  settlementStream: SettlementStream;
  /** Where the webhook deliveries of finished jobs go. */
  webhookQueue: WebhookQueue;
  /** The adapters this process serves, by provider name: one BullMQ worker each. */
  providers: Map<string, ImageProvider>;
  /** Any provider's queue (a job falling back moves to another provider's). */
  queueFor(provider: string): ProviderQueue;
  /** Calls per window and jobs in flight per provider, across every worker process. */
  limits: ProviderLimits;
  logger: Logger;
  /** Metrics and tracing (default: metrics nobody reads, no tracing). */
  telemetry?: Telemetry | undefined;
  settings: ProviderWorkerSettings;
}

/** Each optional setting left out takes its value from `PROVIDER_WORKER_DEFAULTS`. */
export interface ProviderWorkerSettings {
  redisPrefix: string;
  /** Jobs in flight per provider queue (default 50). */
  concurrency: number;
  /** How long a worker holds a job before others may consider it stalled (ms, default 8000). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (ms, default 4000). */
  stalledIntervalMs?: number;
  /** On close, how long the jobs in hand may take before the workers close anyway (ms, default 25000). */
  shutdownGraceMs?: number;
  /** The sweep that re-enqueues jobs Redis lost; see `startReconciler`. */
  reconciler?: ReconcilerSettings;
  /** Days images and inputs are kept after their job ends (`IMAGE_RETENTION_DAYS`, default 30). */
  imageRetentionDays?: number;
}
