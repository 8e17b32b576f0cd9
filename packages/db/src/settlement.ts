import type { JobRow } from './jobs.ts';
import type { Queryable } from './pool.ts';

/** Locks a finished, unsettled job for settlement; undefined when there is nothing (more) to settle. */
export async function lockJobForSettlement(db: Queryable, jobId: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `select * from jobs where id = $1 and settled_at is null
       and status in ('succeeded', 'failed', 'canceled') for update`,
    [jobId],
  );
  return rows[0];
}

export async function markJobSettled(db: Queryable, jobId: string, chargedMicros: bigint): Promise<void> {
  await db.query('update jobs set settled_at = now(), charged_micros = $2 where id = $1', [jobId, chargedMicros]);
}

/** Finished jobs whose hold is still open after `graceSeconds`: what the sweep settles. */
export async function findUnsettledJobIds(
  db: Queryable,
  options: { graceSeconds: number; limit: number },
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id from jobs where settled_at is null and status in ('succeeded', 'failed', 'canceled')
       and completed_at < now() - make_interval(secs => $1) order by completed_at limit $2`,
    [options.graceSeconds, options.limit],
  );
  return rows.map((row) => row.id);
}
