import type { z } from 'zod';
import { jobColumnsSchema } from './job-row.ts';
import type { Queryable } from './pool.ts';

/** What the reconciler needs to find a job's queue entry and to re-add it. */
const unfinishedJobSchema = jobColumnsSchema.pick({
  id: true,
  status: true,
  provider: true,
  route_index: true,
  attempts: true,
});
export type UnfinishedJob = z.infer<typeof unfinishedJobSchema>;

/**
 * One page, in id order, of the jobs Postgres says are queued or running on the given providers
 * and were created more than `graceSeconds` ago (younger ones may still be on their way from
 * ingress's insert to its enqueue). `after` is the last id of the previous page.
 */
export async function findUnfinishedJobs(
  db: Queryable,
  options: { providers: string[]; graceSeconds: number; limit: number; after?: string | undefined },
): Promise<UnfinishedJob[]> {
  const { rows } = await db.query(
    `select id, status, provider, route_index, attempts from jobs
     where status in ('queued', 'in_progress') and provider = any($1)
       and created_at < now() - make_interval(secs => $2) and ($3::text is null or id > $3)
     order by id limit $4`,
    [options.providers, options.graceSeconds, options.after ?? null, options.limit],
  );
  return rows.map((row) => unfinishedJobSchema.parse(row));
}

/**
 * The given jobs that are still unfinished, read again just before acting on them: a job that
 * finished (or moved to another route step) since the page was read is left alone.
 */
export async function findUnfinishedJobsByIds(db: Queryable, ids: string[]): Promise<UnfinishedJob[]> {
  const { rows } = await db.query(
    `select id, status, provider, route_index, attempts from jobs
     where id = any($1) and status in ('queued', 'in_progress')`,
    [ids],
  );
  return rows.map((row) => unfinishedJobSchema.parse(row));
}
