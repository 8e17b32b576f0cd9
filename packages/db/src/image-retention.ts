import { z } from 'zod';
import type { Queryable } from './pool.ts';

const idRow = z.object({ id: z.string() });

/** Ended jobs (any status: a failed edit still has inputs) whose objects are kept past `endedBefore`, oldest first. */
export async function findJobsPastRetention(
  db: Queryable,
  options: { endedBefore: Date; limit: number },
): Promise<string[]> {
  const { rows } = await db.query(
    `select id from jobs
     where images_expired_at is null and completed_at is not null and completed_at < $1
     order by completed_at limit $2`,
    [options.endedBefore, options.limit],
  );
  return rows.map((row) => idRow.parse(row).id);
}

/** Records that the jobs' objects are deleted; the rest of each row stays as it was. */
export async function markImagesExpired(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('update jobs set images_expired_at = now() where id = any($1) and images_expired_at is null', [ids]);
}
