/**
 * One-shot deployment step: applies migrations, seals webhook secrets under the current
 * `IMAGEGATE_SECRET_KEY` (after an upgrade or a key rotation) and makes sure the bucket exists. Run it before the
 * services start (docker-compose's `migrate` container; a Kubernetes Job or init container).
 */
import { createLogger, secretBoxFromEnv } from '@imagegate/core';
import { createPool, migrate, resealWebhookSecrets } from '@imagegate/db';
import { createObjectStore, objectStoreConfigFromEnv } from '@imagegate/storage';
import { loadIngressConfig } from './config.ts';

const config = loadIngressConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'setup' });
const pool = createPool(config.DATABASE_URL, { max: 1 });
try {
  const applied = await migrate(pool);
  logger.info({ applied }, 'migrations up to date');
  // Webhook secrets stored before they were encrypted, or under the key being rotated out.
  const resealed = await resealWebhookSecrets(pool, secretBoxFromEnv(config));
  logger.info({ resealed }, 'webhook secrets sealed under IMAGEGATE_SECRET_KEY');
  const store = createObjectStore(objectStoreConfigFromEnv(config));
  await store.ensureBucket();
  store.close();
  logger.info({ bucket: config.S3_BUCKET }, 'bucket ready');
} finally {
  await pool.end();
}
