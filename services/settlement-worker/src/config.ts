import { databaseEnvSchema, loggingEnvSchema, parseEnv, redisEnvSchema } from '@imagegate/core';
import { telemetryEnvSchema } from '@imagegate/telemetry';
import { z } from 'zod';
import { SETTLEMENT_DEFAULTS } from './settlement-defaults.ts';

const settlementEnvSchema = z.object({
  ...databaseEnvSchema.shape,
  ...redisEnvSchema.shape,
  ...loggingEnvSchema.shape,
  ...telemetryEnvSchema.shape,
  /** Stream entries in hand per process (default 256): `concurrency / batchSize` batches settle at once. */
  SETTLEMENT_CONCURRENCY: z.coerce.number().int().min(1).max(5_000).default(SETTLEMENT_DEFAULTS.concurrency),
  /** Jobs settled by one statement at most (default 100). */
  SETTLEMENT_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(SETTLEMENT_DEFAULTS.batchSize),
  /** Milliseconds a read that found less than a batch waits for more before the batch goes anyway (default 2). */
  SETTLEMENT_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(1_000).default(SETTLEMENT_DEFAULTS.batchWaitMs),
  /** Milliseconds between sweeps for finished jobs with an open hold (default 10000). */
  SETTLEMENT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(SETTLEMENT_DEFAULTS.sweepIntervalMs),
  /** Seconds a finished job waits for its queued settlement before the sweep settles it (default 30). */
  SETTLEMENT_SWEEP_GRACE_S: z.coerce.number().int().min(0).default(SETTLEMENT_DEFAULTS.sweepGraceSeconds),
});

export type SettlementConfig = z.output<typeof settlementEnvSchema>;

export function loadSettlementConfig(env: Record<string, string | undefined> = process.env): SettlementConfig {
  return parseEnv(settlementEnvSchema, env);
}
