import type { JobRow } from './jobs.ts';
import type { Queryable } from './pool.ts';

/** The columns settlement prices a job from. */
export type SettlementJob = Pick<
  JobRow,
  | 'id'
  | 'account_id'
  | 'status'
  | 'model'
  | 'prices'
  | 'markup_permille'
  | 'hold_micros'
  | 'images'
  | 'result'
  | 'request'
>;

/**
 * The finished jobs among `jobIds` whose hold is still open, in one read; ids with nothing (more)
 * to settle are simply absent.
 */
export async function findJobsToSettle(db: Queryable, jobIds: readonly string[]): Promise<SettlementJob[]> {
  const { rows } = await db.query<SettlementJob>({
    name: 'find-jobs-to-settle',
    text: `select id, account_id, status, model, prices, markup_permille, hold_micros, images, result, request
           from jobs where id = any($1::text[]) and settled_at is null and status in ('succeeded', 'failed', 'canceled')`,
    values: [jobIds],
  });
  return rows;
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
