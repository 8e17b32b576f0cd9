import type { Logger } from '@imagegate/core';
import { findJobsPastRetention, markImagesExpired, type Pool } from '@imagegate/db';
import type { ObjectStore } from '@imagegate/storage';

/** How often a provider worker looks for jobs past retention. */
export const IMAGE_RETENTION_SWEEP_INTERVAL_MS = 3_600_000;

// Jobs per sweep, and keys per delete call (S3's DeleteObjects takes at most 1000).
const JOBS_PER_SWEEP = 500;
const KEYS_PER_DELETE = 1000;

/**
 * Deletes the objects of jobs that ended more than `retentionDays` ago (images and uploaded inputs:
 * everything under `jobs/<id>/`), then marks those jobs `images_expired_at`; the rest of each job
 * row stays. Deleting first means a crash in between only repeats the (idempotent) deletes on the
 * next sweep; several workers sweeping at once do the same. Returns how much it removed.
 */
export async function sweepExpiredImages(
  deps: { pool: Pool; store: ObjectStore; logger: Logger },
  options: { retentionDays: number; now?: Date },
): Promise<{ jobs: number; objects: number }> {
  const now = options.now ?? new Date();
  const endedBefore = new Date(now.getTime() - options.retentionDays * 86_400_000);
  const ids = await findJobsPastRetention(deps.pool, { endedBefore, limit: JOBS_PER_SWEEP });
  let objects = 0;
  for (const id of ids) {
    const keys = await deps.store.listKeys(`jobs/${id}/`);
    for (let start = 0; start < keys.length; start += KEYS_PER_DELETE) {
      await deps.store.deleteObjects(keys.slice(start, start + KEYS_PER_DELETE));
    }
    objects += keys.length;
  }
  await markImagesExpired(deps.pool, ids);
  if (ids.length > 0) deps.logger.info({ jobs: ids.length, objects, endedBefore }, 'images past retention deleted');
  return { jobs: ids.length, objects };
}
