import { z } from 'zod';

/**
 * Environment fragments shared by the services. Each service's `config.ts` composes the ones it
 * needs and is the only reader of `process.env`.
 */

const blankAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(blankAsUndefined, z.string().optional());

export const databaseEnvSchema = z.object({
  /** postgres://… connection string. */
  DATABASE_URL: z.string().min(1),
  /** Connections per process (default 10). */
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
});

export const redisEnvSchema = z.object({
  REDIS_URL: z.preprocess(blankAsUndefined, z.string().default('redis://127.0.0.1:6379')),
  /** Prefix of every Redis key imagegate writes (default `imagegate`). */
  REDIS_PREFIX: z.preprocess(blankAsUndefined, z.string().default('imagegate')),
});

export const s3EnvSchema = z.object({
  /** S3-compatible endpoint; unset means AWS S3. */
  S3_ENDPOINT: optionalString,
  /** Endpoint clients reach for presigned URLs, when it differs from S3_ENDPOINT (e.g. inside Docker). */
  S3_PUBLIC_ENDPOINT: optionalString,
  S3_BUCKET: z.preprocess(blankAsUndefined, z.string().default('imagegate')),
  S3_REGION: z.preprocess(blankAsUndefined, z.string().default('us-east-1')),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
});

export const loggingEnvSchema = z.object({
  LOG_LEVEL: z.preprocess(
    blankAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

/** Parses the environment, or throws one error naming every bad variable. */
export function parseEnv<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.output<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
}
