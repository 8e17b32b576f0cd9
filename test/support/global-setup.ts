import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, migrate, migrationsFingerprint } from '@imagegate/db';
import { resolveRedis, startEmbeddedPostgres } from '@imagegate/local';
import {
  dockerEngineAvailable,
  startPostgresContainer,
  startRedisContainer,
  startS3rver,
  type TestServices,
  withDatabase,
} from '@imagegate/testing';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function resolvePostgres(docker: boolean, scratch: string, stops: (() => Promise<void>)[]): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (docker) {
    const container = await startPostgresContainer();
    stops.push(container.stop);
    return container.url;
  }
  if (await answers(LOCAL_POSTGRES)) return LOCAL_POSTGRES;
  const embedded = await startEmbeddedPostgres({ dataDir: join(scratch, 'postgres') });
  stops.push(embedded.stop);
  return embedded.url;
}

/**
 * Finds or starts Postgres, Redis and S3 for the whole run, in this order (docs/operations.md, "Tests"):
 * environment variables, then testcontainers when a Docker engine answers, then the local services
 * (Postgres on 5432 or embedded, Redis on 6379 or spawned, s3rver).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const scratch = await mkdtemp(join(tmpdir(), 'imagegate-test-'));
  stops.push(() => rm(scratch, { recursive: true, force: true }));
  const docker = !process.env.DATABASE_URL || !process.env.REDIS_URL ? await dockerEngineAvailable() : false;

  const postgresAdminUrl = await resolvePostgres(docker, scratch, stops);

  // The template: migrated once per migration set; each test file clones it.
  const templateDatabase = `imagegate_template_${migrationsFingerprint()}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock(4242)');
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [templateDatabase]);
    if (rowCount === 0) {
      await admin.query(`create database ${templateDatabase}`);
      const pool = createPool(withDatabase(postgresAdminUrl, templateDatabase), { max: 1 });
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
    }
    await admin.query('select pg_advisory_unlock(4242)');
  } finally {
    await admin.end();
  }

  let redisUrl = process.env.REDIS_URL;
  if (redisUrl === undefined && docker) {
    const container = await startRedisContainer();
    stops.push(container.stop);
    redisUrl = container.url;
  }
  const redis = await resolveRedis({ url: redisUrl, dataDir: join(scratch, 'redis') });
  stops.push(redis.stop);

  let s3: TestServices['s3'];
  if (process.env.S3_ENDPOINT) {
    s3 = {
      endpoint: process.env.S3_ENDPOINT,
      region: process.env.S3_REGION ?? 'us-east-1',
      accessKeyId: process.env.S3_ACCESS_KEY_ID,
      secretAccessKey: process.env.S3_SECRET_ACCESS_KEY,
    };
  } else {
    const s3rver = await startS3rver({ dataDir: join(scratch, 's3'), silent: true });
    stops.push(s3rver.stop);
    s3 = {
      endpoint: s3rver.endpoint,
      region: s3rver.region,
      accessKeyId: s3rver.accessKeyId,
      secretAccessKey: s3rver.secretAccessKey,
    };
  }

  project.provide('testServices', { postgresAdminUrl, templateDatabase, redisUrl: redis.url, s3 });
  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
}
