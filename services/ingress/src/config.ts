import { DEFAULT_MARKUP_TIERS } from '@imagegate/catalog';
import {
  databaseEnvSchema,
  imageUrlEnvSchema,
  loggingEnvSchema,
  objectStoreEnvSchema,
  parseEnv,
  redisEnvSchema,
  secretKeyEnvSchema,
} from '@imagegate/core';
import { telemetryEnvSchema } from '@imagegate/telemetry';
import { webhookUrlEnvSchema } from '@imagegate/webhooks';
import { z } from 'zod';

const ingressEnvSchema = z.object({
  ...databaseEnvSchema.shape,
  ...redisEnvSchema.shape,
  ...objectStoreEnvSchema.shape,
  ...imageUrlEnvSchema.shape,
  ...loggingEnvSchema.shape,
  ...webhookUrlEnvSchema.shape,
  ...secretKeyEnvSchema.shape,
  ...telemetryEnvSchema.shape,
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Guards /admin/v1; the admin API is off when unset. Sent as `Bearer <token>`, so without whitespace. */
  ADMIN_TOKEN: z.string().min(16).regex(/^\S+$/, 'must not contain whitespace').optional(),
  /** Longest a request without `Prefer` waits before it gets a 202 (seconds, default 300). */
  SYNC_WAIT_MAX_S: z.coerce.number().int().min(0).max(3600).default(300),
  /** Largest request body accepted (bytes, default 1 MiB). */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Largest input image of an edit (bytes, default 50 MiB, as OpenAI's): a larger part is a 413 naming it. */
  MAX_INPUT_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /** Longest the gateway spends fetching one https image URL of a JSON edit (ms, default 15 s). */
  IMAGE_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /**
   * How long a request body may take to arrive (ms, default 10 s), and as much again for every
   * further `MAX_BODY_BYTES` received (so a large edit upload must keep up an average of
   * `MAX_BODY_BYTES` per `BODY_TIMEOUT_MS`). Late: 408 and the connection closed.
   */
  BODY_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** How long a request's headers may take to arrive, from the connection or the previous request (ms, default 10 s). */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * On SIGTERM: how long requests waiting on a job may still get its result before they are
   * answered 202 with the job, and the longest the ingress takes to exit (ms, default 25 s, the
   * provider worker's default: one variable for a whole machine).
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
  /** On a stream, a `: keep-alive` comment after this long without an event (ms, default 15 s). */
  SSE_KEEPALIVE_MS: z.coerce.number().int().min(10).max(60_000).default(15_000),
  /** An operator's catalog file; its models replace or add to the defaults. */
  CATALOG_FILE: z.string().optional(),
  /** The workers' limits (see provider-limits.ts): the queue bound for backpressure and start estimates. */
  PROVIDER_LIMITS: z.string().optional(),
  /** Markup by 90-day spend: `<spend usd>:<multiplier>,…` (default `0:1.5,10:1.4,50:1.3,200:1.2`). */
  MARKUP_TIERS: z.string().default(DEFAULT_MARKUP_TIERS),
  /** USD a new account starts with (default 2.00), recorded as a `grant`. */
  STARTER_CREDIT_USD: z.coerce.number().min(0).max(1_000_000).default(2),
  /** Seconds a rotated-out webhook secret keeps signing beside the new one (default 86400). */
  WEBHOOK_SECRET_GRACE_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(86_400),
});

export type IngressConfig = z.output<typeof ingressEnvSchema>;

export function loadIngressConfig(env: Record<string, string | undefined> = process.env): IngressConfig {
  return parseEnv(ingressEnvSchema, env);
}
