import type { Queryable } from './pool.ts';

/** One job's settlement as computed by the caller: the charge and the ids of its ledger entries. */
export interface JobSettlement {
  jobId: string;
  /** Debited from the balance; the rest of the hold is released (micro-USD, ≥ 0, ≤ the hold). */
  chargedMicros: bigint;
  debitEntryId: string;
  releaseEntryId: string;
}

/**
 * Settles a batch of jobs in ONE statement (one commit), set-based:
 * - marks each job settled only where `settled_at is null`, so the first writer wins and a
 *   duplicate delivery, a parallel batch or the sweep can never charge a job twice;
 * - updates each account once per batch with the sums of its jobs (a hot account's row is locked
 *   once per batch, not once per job);
 * - writes the same ledger entries per job as a single settlement would (a debit of the charge,
 *   a release of the rest of the hold), and the day's spend summed per account.
 *
 * Locks are taken in id order — all the batch's jobs first, then its accounts — so batches that
 * overlap in jobs or accounts wait for each other instead of deadlocking.
 *
 * Returns the ids this statement settled; the others were settled already (or are not finished).
 */
export async function applySettlements(db: Queryable, settlements: readonly JobSettlement[]): Promise<Set<string>> {
  const unique = uniqueByJob(settlements);
  if (unique.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>({
    name: 'apply-settlements',
    text: APPLY_SETTLEMENTS_SQL,
    values: [
      unique.map((settlement) => settlement.jobId),
      unique.map((settlement) => settlement.chargedMicros.toString()),
      unique.map((settlement) => settlement.debitEntryId),
      unique.map((settlement) => settlement.releaseEntryId),
    ],
  });
  return new Set(rows.map((row) => row.id));
}

/** The first settlement of each job: a job listed twice in one statement would be joined twice. */
function uniqueByJob(settlements: readonly JobSettlement[]): JobSettlement[] {
  const byJob = new Map<string, JobSettlement>();
  for (const settlement of settlements) {
    if (!byJob.has(settlement.jobId)) byJob.set(settlement.jobId, settlement);
  }
  return [...byJob.values()];
}

// `order by … for update` sorts before it locks, which fixes the lock order. Each step reads the
// one before it, so the jobs are locked before any account, and the accounts before the spend rows.
const APPLY_SETTLEMENTS_SQL = `
  with input as (
    select * from unnest($1::text[], $2::bigint[], $3::text[], $4::text[])
      as i(job_id, charged_micros, debit_entry_id, release_entry_id)
  ), locked_jobs as materialized (
    select j.id from jobs j
    where j.id = any($1::text[]) and j.settled_at is null and j.status in ('succeeded', 'failed', 'canceled')
    order by j.id
    for update of j
  ), settled as (
    update jobs j set settled_at = now(), charged_micros = i.charged_micros
    from locked_jobs l join input i on i.job_id = l.id
    where j.id = l.id and j.settled_at is null
    returning j.id, j.account_id, j.hold_micros, i.charged_micros, i.debit_entry_id, i.release_entry_id
  ), per_account as (
    select account_id, sum(charged_micros)::bigint as charged_micros, sum(hold_micros)::bigint as hold_micros
    from settled group by account_id
  ), locked_accounts as materialized (
    select a.id from accounts a
    where a.id in (select account_id from per_account)
    order by a.id
    for update of a
  ), accounts_updated as (
    update accounts a
    set balance_micros = a.balance_micros - p.charged_micros, held_micros = a.held_micros - p.hold_micros
    from per_account p join locked_accounts l on l.id = p.account_id
    where a.id = p.account_id
    returning a.id
  ), spend as (
    insert into account_daily_spend (account_id, day, micros)
    select p.account_id, current_date, p.charged_micros
    from per_account p join accounts_updated u on u.id = p.account_id
    where p.charged_micros > 0
    order by p.account_id
    on conflict (account_id, day) do update set micros = account_daily_spend.micros + excluded.micros
  ), ledger as (
    insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
    select debit_entry_id, account_id, 'debit', -charged_micros, -charged_micros, id
    from settled where charged_micros > 0
    union all
    select release_entry_id, account_id, 'release', 0, charged_micros - hold_micros, id
    from settled where hold_micros > charged_micros
  )
  select id from settled`;
