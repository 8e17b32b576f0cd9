import { databaseEnvSchema, loggingEnvSchema, objectStoreEnvSchema, parseEnv, redisEnvSchema } from '@imagegate/core';
import { UPSTREAM_DEFAULTS } from '@imagegate/providers';
import { telemetryEnvSchema } from '@imagegate/telemetry';
import { z } from 'zod';
import { PROVIDER_WORKER_DEFAULTS } from './provider-worker-defaults.ts';

const workerEnvSchema = z.object({
  ...databaseEnvSchema.shape,
  ...redisEnvSchema.shape,
  ...objectStoreEnvSchema.shape,
  ...loggingEnvSchema.shape,
  ...telemetryEnvSchema.shape,
  /** Which provider queues this process serves, comma-separated (default: every configured provider). */
  WORKER_PROVIDERS: z.string().optional(),
  /** Jobs in flight per provider queue in this process (default 50: the work is waiting on upstreams). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(PROVIDER_WORKER_DEFAULTS.concurrency),
  /** Calls and jobs in flight per provider, e.g. `openai=50rpm/20,google=120rpm/20` (see provider-limits.ts). */
  PROVIDER_LIMITS: z.string().optional(),
  /** Milliseconds one upstream call may take (default 600000). */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(UPSTREAM_DEFAULTS.timeoutMs),
  CATALOG_FILE: z.string().optional(),
  /** On SIGTERM, milliseconds the jobs in hand may take before the worker closes anyway (default 25000). */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(PROVIDER_WORKER_DEFAULTS.shutdownGraceMs),
  /** Milliseconds between reconciler sweeps for jobs whose queue entry Redis lost (default 10000). */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(PROVIDER_WORKER_DEFAULTS.reconciler.intervalMs),
  /** Seconds a job must have existed before the reconciler looks at it (default 20). */
  RECONCILE_GRACE_S: z.coerce.number().int().min(0).default(PROVIDER_WORKER_DEFAULTS.reconciler.graceSeconds),
});

export type WorkerConfig = z.output<typeof workerEnvSchema> & {
  /**
   * The environment each provider definition reads its own variables from (`PROVIDERS` of
   * `@imagegate/providers`: OPENAI_API_KEY, GOOGLE_APPLICATION_CREDENTIALS, BFL_API_KEY…).
   */
  providerEnv: Readonly<Record<string, string | undefined>>;
};

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return { ...parseEnv(workerEnvSchema, env), providerEnv: { ...env } };
}
