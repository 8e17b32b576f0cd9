import { z } from 'zod';

/**
 * Environment fragments shared by the services. Each service's `config.ts` composes the ones it
 * needs and is the only reader of `process.env`.
 */

const blankAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(blankAsUndefined, z.string().optional());

/** Postgres connections per process unless `DATABASE_POOL_SIZE` (or a pool's caller) says otherwise. */
export const DEFAULT_DATABASE_POOL_SIZE = 10;

export const databaseEnvSchema = z.object({
  /** postgres://… connection string. */
  DATABASE_URL: z.string().min(1),
  /** Connections per process (default 10). */
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(DEFAULT_DATABASE_POOL_SIZE),
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
  /** The bucket (default `imagegate`); setting it (or S3_ENDPOINT) chooses S3 over the local store. */
  S3_BUCKET: optionalString,
  S3_REGION: z.preprocess(blankAsUndefined, z.string().default('us-east-1')),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
});

/** Days images and inputs are kept after their job ends unless `IMAGE_RETENTION_DAYS` says otherwise. */
export const DEFAULT_IMAGE_RETENTION_DAYS = 30;

/**
 * Where images and uploaded inputs are kept: S3 (several machines) or a directory of this machine
 * whose files the ingress serves at signed URLs (one machine). `objectStoreFromEnv` in
 * @imagegate/storage reads these.
 */
export const objectStoreEnvSchema = z.object({
  ...s3EnvSchema.shape,
  /** `s3` or `local`; default `s3` when S3_BUCKET or S3_ENDPOINT is set, else `local`. */
  IMAGE_STORE: z.preprocess(blankAsUndefined, z.enum(['s3', 'local']).optional()),
  /** The local store's directory (default `.data/images`, from the working directory). */
  IMAGE_STORE_DIR: z.preprocess(blankAsUndefined, z.string().default('.data/images')),
  /** The HMAC key of the local store's image URLs, the same in every service (at least 32 characters). */
  IMAGE_URL_SECRET: optionalString,
  /** Days images and uploaded inputs are kept after their job ends (default 30; then swept, 410). */
  IMAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(DEFAULT_IMAGE_RETENTION_DAYS),
  /** Where clients reach the ingress, for the local store's image URLs (default `http://localhost:<PORT>`). */
  PUBLIC_BASE_URL: z.preprocess(blankAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
});

/** Seconds a presigned image URL stays valid unless `IMAGE_URL_TTL_S` says otherwise. */
export const DEFAULT_IMAGE_URL_TTL_S = 3600;

/** For the services that hand out image URLs (the job resource, webhook bodies). */
export const imageUrlEnvSchema = z.object({
  /** Seconds a presigned image URL stays valid (default 3600, at most 7 days: S3's limit). */
  IMAGE_URL_TTL_S: z.coerce.number().int().min(1).max(604_800).default(DEFAULT_IMAGE_URL_TTL_S),
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
