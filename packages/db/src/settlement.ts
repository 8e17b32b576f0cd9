import { z } from 'zod';
import { jobColumnsSchema } from './job-row.ts';
import type { Queryable } from './pool.ts';

/** The columns settlement prices a job from (of its request, only how many images it asked for). */
const settlementJobSchema = jobColumnsSchema
  .pick({
    id: true,
    account_id: true,
    status: true,
    model: true,
    prices: true,
    markup_permille: true,
    hold_micros: true,
    images: true,
    result: true,
    // For the metrics: how and when the job ended.
    provider: true,
    error: true,
    completed_at: true,
  })
  .extend({ request: z.object({ n: z.int() }), operation: z.string() });
export type SettlementJob = z.infer<typeof settlementJobSchema>;

/** What `findJobsToSettle` read: the jobs to settle, and those whose stored columns do not parse. */
export interface JobsToSettle {
  jobs: SettlementJob[];
  /** By job id: a row that does not parse (a bug, or a newer writer) fails alone, not its batch. */
  unreadable: Map<string, Error>;
}

/**
 * The finished jobs among `jobIds` whose hold is still open, in one read; ids with nothing (more)
 * to settle are simply absent.
 */
export async function findJobsToSettle(db: Queryable, jobIds: readonly string[]): Promise<JobsToSettle> {
  const { rows } = await db.query({
    name: 'find-jobs-to-settle',
    // Of the request only its n: the rest (a long prompt, a chat's messages) would be read and parsed for nothing.
    text: `select id, account_id, status, model, prices, markup_permille, hold_micros, images, result,
                  jsonb_build_object('n', request->'n') as request, provider, error, completed_at, operation
           from jobs where id = any($1::text[]) and settled_at is null and status in ('succeeded', 'failed', 'canceled')`,
    values: [jobIds],
  });
  const found: JobsToSettle = { jobs: [], unreadable: new Map() };
  for (const row of rows) {
    const parsed = settlementJobSchema.safeParse(row);
    if (parsed.success) found.jobs.push(parsed.data);
    else {
      const id = z.object({ id: z.string() }).parse(row).id;
      found.unreadable.set(id, new Error(`job ${id} does not parse: ${z.prettifyError(parsed.error)}`));
    }
  }
  return found;
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
