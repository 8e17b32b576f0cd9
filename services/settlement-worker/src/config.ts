import { databaseEnvSchema, loggingEnvSchema, parseEnv, redisEnvSchema } from '@imagegate/core';
import { z } from 'zod';

const settlementEnvSchema = z.object({
  ...databaseEnvSchema.shape,
  ...redisEnvSchema.shape,
  ...loggingEnvSchema.shape,
  /** Settlements in flight per process (default 20). */
  SETTLEMENT_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  /** Milliseconds between sweeps for finished jobs with an open hold (default 10000). */
  SETTLEMENT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  /** Seconds a finished job waits for its queued settlement before the sweep settles it (default 30). */
  SETTLEMENT_SWEEP_GRACE_S: z.coerce.number().int().min(0).default(30),
});

export type SettlementConfig = z.output<typeof settlementEnvSchema>;

export function loadSettlementConfig(env: Record<string, string | undefined> = process.env): SettlementConfig {
  return parseEnv(settlementEnvSchema, env);
}
