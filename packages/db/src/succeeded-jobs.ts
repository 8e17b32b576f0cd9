import { type JobRow, parseJobRow } from './job-row.ts';
import type { Queryable } from './pool.ts';

/**
 * Jobs that succeeded in `[since, until)` (by completion time), oldest first, at most `limit`: what
 * the margin report adds up. `truncated` says the range held more.
 */
export async function findSucceededJobsBetween(
  db: Queryable,
  range: { since: Date; until: Date; limit: number },
): Promise<{ jobs: JobRow[]; truncated: boolean }> {
  const { rows } = await db.query(
    `select * from jobs where status = 'succeeded' and completed_at >= $1 and completed_at < $2
       order by completed_at, id limit $3`,
    [range.since, range.until, range.limit + 1],
  );
  const jobs = rows.slice(0, range.limit).map(parseJobRow);
  return { jobs, truncated: rows.length > range.limit };
}
