import type { JobRow } from './job-row.ts';
import type { Queryable } from './pool.ts';

/** What the reconciler needs to find a job's queue entry and to re-add it. */
export type UnfinishedJob = Pick<JobRow, 'id' | 'status' | 'provider' | 'route_index' | 'attempts'>;

/**
 * One page, in id order, of the jobs Postgres says are queued or running on the given providers
 * and were created more than `graceSeconds` ago (younger ones may still be on their way from
 * ingress's insert to its enqueue). `after` is the last id of the previous page.
 */
export async function findUnfinishedJobs(
  db: Queryable,
  options: { providers: string[]; graceSeconds: number; limit: number; after?: string | undefined },
): Promise<UnfinishedJob[]> {
  const { rows } = await db.query<UnfinishedJob>(
    `select id, status, provider, route_index, attempts from jobs
     where status in ('queued', 'in_progress') and provider = any($1)
       and created_at < now() - make_interval(secs => $2) and ($3::text is null or id > $3)
     order by id limit $4`,
    [options.providers, options.graceSeconds, options.after ?? null, options.limit],
  );
  return rows;
}

/**
 * The given jobs that are still unfinished, read again just before acting on them: a job that
 * finished (or moved to another route step) since the page was read is left alone.
 */
export async function findUnfinishedJobsByIds(db: Queryable, ids: string[]): Promise<UnfinishedJob[]> {
  const { rows } = await db.query<UnfinishedJob>(
    `select id, status, provider, route_index, attempts from jobs
     where id = any($1) and status in ('queued', 'in_progress')`,
    [ids],
  );
  return rows;
}
