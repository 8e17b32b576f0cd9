/**
 * One-shot deployment step: applies migrations, seals webhook secrets under the current
 * `IMAGEGATE_SECRET_KEY` (after an upgrade or a key rotation), makes sure the bucket exists and
 * installs its retention lifecycle rule (S3). Run it before the
 * services start (docker-compose's `migrate` container; a Kubernetes Job or init container).
 */
import { createLogger, secretBoxFromEnv } from '@imagegate/core';
import { createPool, migrate, resealWebhookSecrets } from '@imagegate/db';
import { objectStoreFromEnv } from '@imagegate/storage';
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
