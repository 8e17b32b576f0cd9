import { databaseEnvSchema, loggingEnvSchema, parseEnv, redisEnvSchema, s3EnvSchema } from '@imagegate/core';
import { z } from 'zod';
import { PROVIDER_WORKER_DEFAULTS } from './provider-worker-defaults.ts';

const workerEnvSchema = z.object({
  ...databaseEnvSchema.shape,
  ...redisEnvSchema.shape,
  ...s3EnvSchema.shape,
  ...loggingEnvSchema.shape,
  /** Which provider queues this process serves, comma-separated (default: every configured provider). */
  WORKER_PROVIDERS: z.string().optional(),
  /** Jobs in flight per provider queue in this process (default 50: the work is waiting on upstreams). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(PROVIDER_WORKER_DEFAULTS.concurrency),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().default('https://api.openai.com/v1'),
  /** A Google service-account key file: Vertex AI serves Imagen and Gemini models. */
  GOOGLE_APPLICATION_CREDENTIALS: z.string().optional(),
  /** The Vertex project (default: the key file's `project_id`). */
  GOOGLE_CLOUD_PROJECT: z.string().optional(),
  /** The Vertex location Imagen runs in. */
  GOOGLE_CLOUD_LOCATION: z.string().default('us-central1'),
  /** The Vertex location Gemini image models run in (the Gemini 3 image models are served from `global`). */
  GOOGLE_GEMINI_LOCATION: z.string().default('global'),
  /** Another host for Vertex (a private endpoint, or an emulator). */
  VERTEX_BASE_URL: z.string().optional(),
  /** A Gemini API key: Gemini models without Vertex (Imagen needs Vertex). */
  GEMINI_API_KEY: z.string().optional(),
  GEMINI_BASE_URL: z.string().default('https://generativelanguage.googleapis.com'),
  BFL_API_KEY: z.string().optional(),
  BFL_BASE_URL: z.string().default('https://api.bfl.ai'),
  /** First wait between polls of a BFL task (ms); it grows ×1.5 up to BFL_MAX_POLL_INTERVAL_MS. */
  BFL_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(500),
  BFL_MAX_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
  /** Calls and jobs in flight per provider, e.g. `openai=500rpm/50,google=120rpm/20` (see provider-limits.ts). */
  PROVIDER_LIMITS: z.string().optional(),
  /** Milliseconds one upstream call may take (default 600000). */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
  CATALOG_FILE: z.string().optional(),
  /** On SIGTERM, milliseconds the jobs in hand may take before the worker closes anyway (default 25000). */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(PROVIDER_WORKER_DEFAULTS.shutdownGraceMs),
  /** Milliseconds between reconciler sweeps for jobs whose queue entry Redis lost (default 10000). */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(PROVIDER_WORKER_DEFAULTS.reconciler.intervalMs),
  /** Seconds a job must have existed before the reconciler looks at it (default 20). */
  RECONCILE_GRACE_S: z.coerce.number().int().min(0).default(PROVIDER_WORKER_DEFAULTS.reconciler.graceSeconds),
});

export type WorkerConfig = z.output<typeof workerEnvSchema>;

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return parseEnv(workerEnvSchema, env);
}
