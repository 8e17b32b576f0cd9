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
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, parseRetrySchedule, webhookUrlEnvSchema } from '@imagegate/webhooks';
import { z } from 'zod';
import { WEBHOOK_WORKER_DEFAULTS } from './webhook-worker-defaults.ts';

const webhookWorkerEnvSchema = z.object({
  ...databaseEnvSchema.shape,
  ...redisEnvSchema.shape,
  ...objectStoreEnvSchema.shape,
  ...imageUrlEnvSchema.shape,
  ...loggingEnvSchema.shape,
  ...webhookUrlEnvSchema.shape,
  ...secretKeyEnvSchema.shape,
  ...telemetryEnvSchema.shape,
  /** Deliveries in flight per process (default 50: the work is waiting on receivers). */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(WEBHOOK_WORKER_DEFAULTS.concurrency),
  /**
   * Delays before each retry of a failed delivery, `5s,5m,…` (units ms, s, m, h; default
   * `5s,5m,30m,2h,5h,10h,10h`). Once used up the delivery is marked failed.
   */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default(DEFAULT_WEBHOOK_RETRY_SCHEDULE)
    .transform((value, context) => {
      try {
        return parseRetrySchedule(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    }),
  /** Longest a receiver may take to answer one attempt (ms, default 15000). */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(WEBHOOK_WORKER_DEFAULTS.timeoutMs),
  /** Milliseconds between sweeps for pending deliveries whose queue entry was lost (default 30000). */
  WEBHOOK_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(WEBHOOK_WORKER_DEFAULTS.sweepIntervalMs),
  /** Seconds a delivery may be overdue before the sweep enqueues it again (default 60). */
  WEBHOOK_SWEEP_GRACE_S: z.coerce.number().int().min(0).default(WEBHOOK_WORKER_DEFAULTS.sweepGraceSeconds),
});

export type WebhookWorkerConfig = z.output<typeof webhookWorkerEnvSchema>;

export function loadWebhookWorkerConfig(env: Record<string, string | undefined> = process.env): WebhookWorkerConfig {
  return parseEnv(webhookWorkerEnvSchema, env);
}
