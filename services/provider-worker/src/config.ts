import { databaseEnvSchema, loggingEnvSchema, parseEnv, redisEnvSchema, s3EnvSchema } from '@imagegate/core';
import { z } from 'zod';

const workerEnvSchema = z.object({
  ...databaseEnvSchema.shape,
  ...redisEnvSchema.shape,
  ...s3EnvSchema.shape,
  ...loggingEnvSchema.shape,
  /** Which provider queues this process serves, comma-separated (default: every configured provider). */
  WORKER_PROVIDERS: z.string().optional(),
  /** Jobs in flight per provider queue in this process (default 50: the work is waiting on upstreams). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().default('https://api.openai.com/v1'),
  /** Milliseconds one upstream call may take (default 600000). */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
  CATALOG_FILE: z.string().optional(),
});

export type WorkerConfig = z.output<typeof workerEnvSchema>;

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return parseEnv(workerEnvSchema, env);
}
