/**
 * One-shot deployment step: applies migrations, makes sure the bucket exists and installs its
 * retention lifecycle rule (S3). Run it before the
 * services start (docker-compose's `migrate` container; a Kubernetes Job or init container).
 */
import { createLogger } from '@imagegate/core';
import { createPool, migrate } from '@imagegate/db';
import { objectStoreFromEnv } from '@imagegate/storage';
import { loadIngressConfig } from './config.ts';

const config = loadIngressConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'setup' });
const pool = createPool(config.DATABASE_URL, { max: 1 });
try {
  const applied = await migrate(pool);
  logger.info({ applied }, 'migrations up to date');
  const store = objectStoreFromEnv(config);
  await store.ensureBucket();
  // A day after the sweep's turn, so the sweep (which also marks the jobs) normally goes first.
  await store
    .applyRetention(config.IMAGE_RETENTION_DAYS + 1)
    .catch((err: unknown) =>
      logger.warn({ err }, 'the object store refused a lifecycle rule: only the retention sweep deletes old images'),
    );
  store.close();
  logger.info(
    { store: store.kind, bucket: store.bucket, retentionDays: config.IMAGE_RETENTION_DAYS },
    'object store ready',
  );
} finally {
  await pool.end();
}
