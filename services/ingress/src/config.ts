import { DEFAULT_MARKUP_TIERS } from '@imagegate/catalog';
import {
  databaseEnvSchema,
  imageUrlEnvSchema,
  loggingEnvSchema,
  objectStoreEnvSchema,
  parseEnv,
  redisEnvSchema,
} from '@imagegate/core';
import { webhookUrlEnvSchema } from '@imagegate/webhooks';
import { z } from 'zod';

const ingressEnvSchema = z.object({
  ...databaseEnvSchema.shape,
  ...redisEnvSchema.shape,
  ...objectStoreEnvSchema.shape,
  ...imageUrlEnvSchema.shape,
  ...loggingEnvSchema.shape,
  ...webhookUrlEnvSchema.shape,
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Guards /admin/v1; the admin API is off when unset. */
  ADMIN_TOKEN: z.string().min(16).optional(),
  /** Longest a request without `Prefer` waits before it gets a 202 (seconds, default 300). */
  SYNC_WAIT_MAX_S: z.coerce.number().int().min(0).max(3600).default(300),
  /** Largest request body accepted (bytes, default 1 MiB). */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
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
