/**
 * One-shot deployment step: applies migrations and makes sure the bucket exists. Run it before the
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
  store.close();
  logger.info({ store: store.kind, bucket: store.bucket }, 'object store ready');
} finally {
  await pool.end();
}
