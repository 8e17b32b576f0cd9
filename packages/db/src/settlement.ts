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

/** A finished job whose hold is still open; undefined when there is nothing (more) to settle. */
export async function findJobToSettle(db: Queryable, jobId: string): Promise<SettlementJob | undefined> {
  const { rows } = await db.query<SettlementJob>({
    name: 'find-job-to-settle',
    text: `select id, account_id, status, model, prices, markup_permille, hold_micros, images, result, request
           from jobs where id = $1 and settled_at is null and status in ('succeeded', 'failed', 'canceled')`,
    values: [jobId],
  });
  return rows[0];
}

/**
 * Settles a job in ONE statement: marks it settled (only if nobody did yet), debits the charge,
 * releases the rest of the hold, writes the ledger entries and the day's spend. The account row is
 * locked only for this statement. Returns false when the job was already settled (a duplicate
 * delivery, a parallel settler, or the sweep got there first): then nothing changed.
 */
export async function applySettlement(
  db: Queryable,
  settlement: { jobId: string; chargedMicros: bigint; debitEntryId: string; releaseEntryId: string },
): Promise<boolean> {
  const { rowCount } = await db.query({
    name: 'apply-settlement',
    text: `with job as (
             update jobs set settled_at = now(), charged_micros = $2
             where id = $1 and settled_at is null and status in ('succeeded', 'failed', 'canceled')
             returning account_id, hold_micros
           ), account as (
             update accounts set balance_micros = balance_micros - $2, held_micros = held_micros - job.hold_micros
             from job where accounts.id = job.account_id
           ), debit as (
             insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
             select $3, job.account_id, 'debit', -$2::bigint, -$2::bigint, $1 from job where $2::bigint > 0
           ), release as (
             insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
             select $4, job.account_id, 'release', 0, $2::bigint - job.hold_micros, $1 from job where job.hold_micros > $2::bigint
           ), spend as (
             insert into account_daily_spend (account_id, day, micros)
             select job.account_id, current_date, $2 from job where $2::bigint > 0
             on conflict (account_id, day) do update set micros = account_daily_spend.micros + excluded.micros
           )
           select account_id from job`,
    values: [settlement.jobId, settlement.chargedMicros, settlement.debitEntryId, settlement.releaseEntryId],
  });
  return rowCount === 1;
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
