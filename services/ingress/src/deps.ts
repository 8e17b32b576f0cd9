import type { Catalog, MarkupTier } from '@imagegate/catalog';
import type { Logger, SecretBox } from '@imagegate/core';
import type { Pool } from '@imagegate/db';
import type { ProviderQueue, Redis, SettlementStream, WebhookQueue } from '@imagegate/queue';
import type { ObjectStore } from '@imagegate/storage';
import type { Telemetry } from '@imagegate/telemetry';
import type { WebhookUrlPolicy } from '@imagegate/webhooks';
import type { JobWaiter } from './job-waiter.ts';
import type { ProviderAdmission } from './provider-admission.ts';
import type { JobProgressFeed } from './streaming/job-progress-feed.ts';

/** What the ingress app is built from. `startIngressFromConfig` opens these from the config; tests may pass their own. */
export interface IngressDeps {
  pool: Pool;
  /** A normal Redis connection (publishing cancel requests, health). */
  redis: Redis;
  /** One queue per provider, by provider name. */
  queues: Map<string, ProviderQueue>;
  /** Backpressure: refuses work for a provider whose queue is full or that no worker serves. */
  admission: ProviderAdmission;
  /** Where the webhooks of the jobs the ingress ends (a queued job canceled, a failed enqueue) and manual re-sends go. */
  webhookQueue: WebhookQueue;
  /** Where the jobs the ingress ends itself (a queued job canceled, a failed enqueue) go to have their hold released. */
  settlementStream: SettlementStream;
  /** The SSRF guard applied to `webhook_url` at submission. */
  webhookUrlPolicy: WebhookUrlPolicy;
  /** Seals the accounts' webhook secrets before they are stored (`IMAGEGATE_SECRET_KEY`). */
  secretBox: SecretBox;
  store: ObjectStore;
  catalog: Catalog;
  waiter: JobWaiter;
  /** Delivers running jobs' progress events (partials, stored images) to the requests streaming them. */
  progress: JobProgressFeed;
  logger: Logger;
  /** Metrics (served at `/metrics`) and tracing. */
  telemetry: Telemetry;
  settings: IngressSettings;
}

export interface IngressSettings {
  redisPrefix: string;
  adminToken?: string | undefined;
  imageUrlTtlS: number;
  syncWaitMaxS: number;
  maxBodyBytes: number;
  /** Largest input image of an edit (`MAX_INPUT_IMAGE_BYTES`). */
  maxInputImageBytes: number;
  /** Longest one https image URL of a JSON edit may take to fetch (`IMAGE_FETCH_TIMEOUT_MS`). */
  imageFetchTimeoutMs: number;
  /** `BODY_TIMEOUT_MS`: the time a body of up to `maxBodyBytes` may take to arrive (larger ones get proportionally more). */
  bodyTimeoutMs: number;
  /** A keep-alive comment on a stream after this long without an event (`SSE_KEEPALIVE_MS`, default 15 s). */
  sseKeepAliveMs: number;
  /** Markup by 90-day spend (`MARKUP_TIERS`). */
  markupTiers: readonly MarkupTier[];
  /** Credit a new account starts with (`STARTER_CREDIT_USD`, default $2). */
  starterCreditMicros: bigint;
  /** Seconds a rotated-out webhook secret keeps signing (`WEBHOOK_SECRET_GRACE_S`, default 86400). */
  webhookSecretGraceS: number;
}
