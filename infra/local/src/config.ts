import { parseEnv } from '@imagegate/core';
import { z } from 'zod';

const blankAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optional = z.preprocess(blankAsUndefined, z.string().optional());

/** What `pnpm start` reads beyond the services' own variables (which pass through to them). */
const localEnvSchema = z.object({
  /** Where embedded Postgres, Redis and the images keep their data (default `<repo>/.data`). */
  IMAGEGATE_DATA_DIR: optional,
  DATABASE_URL: optional,
  REDIS_URL: optional,
  /** Either names S3 as the image store; without them images are kept in `<data dir>/images`. */
  S3_ENDPOINT: optional,
  S3_BUCKET: optional,
  IMAGE_STORE: z.preprocess(blankAsUndefined, z.enum(['s3', 'local']).optional()),
  IMAGE_STORE_DIR: optional,
  IMAGE_URL_SECRET: optional,
  PUBLIC_BASE_URL: optional,
  ADMIN_TOKEN: optional,
  /** The key sealing webhook secrets; generated and kept in `credentials.json` when unset. */
  IMAGEGATE_SECRET_KEY: optional,
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Fixed ports for the embedded services (default: any free port). */
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().optional(),
  /** Credit of the `dev` account created on the first run (default 2.00). */
  STARTER_CREDIT_USD: z.coerce.number().min(0).default(2),
  LOG_LEVEL: z.preprocess(blankAsUndefined, z.string().default('info')),
});

export type LocalConfig = z.output<typeof localEnvSchema>;

export function loadLocalConfig(env: Record<string, string | undefined> = process.env): LocalConfig {
  return parseEnv(localEnvSchema, env);
}
