import { type JobRow, parseJobRow } from './job-row.ts';
import type { Queryable } from './pool.ts';

/**
 * A running job goes back to waiting in its queue (the provider is rate limited): it did not
 * really start an attempt, so the count goes back down.
 */
export async function returnJobToQueue(db: Queryable, id: string): Promise<void> {
  await db.query(
    `update jobs set status = 'queued', attempts = greatest(attempts - 1, 0)
     where id = $1 and status = 'in_progress'`,
    [id],
  );
}

/**
 * Moves a failed job on to the next model of its route: that model, provider and parameters become
 * the job's, its deadline starts afresh when it starts, and it waits in the new provider's queue.
 * Conditional on the step it is leaving, so two deliveries of one failure move it once. Returns the
 * moved job, or undefined when there is no next model (or it was moved, finished or canceled).
 */
export async function moveJobToFallback(db: Queryable, id: string, fromIndex: number): Promise<JobRow | undefined> {
  const { rows } = await db.query(
    `update jobs set route_index = $2 + 1,
       model = route->($2 + 1)->>'model',
       provider = route->($2 + 1)->>'provider',
       parameters = route->($2 + 1)->'parameters',
       upstream_tasks = '{}'::jsonb, deadline_at = null, status = 'queued'
     where id = $1 and route_index = $2 and status = 'in_progress'
       and not cancel_requested and jsonb_array_length(route) > $2 + 1
     returning *`,
    [id, fromIndex],
  );
  return rows[0] === undefined ? undefined : parseJobRow(rows[0]);
}
