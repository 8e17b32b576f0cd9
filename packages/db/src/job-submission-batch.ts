import { errorCodeOf } from '@imagegate/core';
import type { HoldPricing } from './job-submission.ts';
import type { JobRow, NewJob } from './jobs.ts';
import type { Queryable } from './pool.ts';

/** One job of a batch: what `insertJobWithHold` takes, less the idempotency key (that path stays single). */
export interface BatchedJob {
  job: Omit<NewJob, 'markupPermille' | 'holdMicros' | 'idempotencyKey' | 'requestHash'>;
  ledgerEntryId: string;
  /** Unit price and n of this job; the markup tiers must be the same for the whole batch. */
  pricing: HoldPricing;
}

/** Each job of a batch is held, or refused with what it needed and what was left for it. */
export type BatchedHoldOutcome =
  | { held: true; job: JobRow }
  | { held: false; holdMicros: bigint; availableMicros: bigint };

/** Deadlocks and serialization failures undo the whole statement, so running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

type BatchRow = JobRow & {
  batch_job_id: string;
  batch_held: boolean;
  batch_hold_micros: bigint;
  batch_available_micros: bigint;
};

/**
 * Records many jobs with their holds in ONE statement, with exactly the outcome each would get from
 * `insertJobWithHold` run one after another in the batch's order: per account, a job is held only if
 * its hold fits the balance left after the jobs before it that were held; a refused one changes
 * nothing. The accounts are locked in id order (batches cannot deadlock each other) for the
 * statement only.
 */
export async function insertJobsWithHolds(db: Queryable, batch: readonly BatchedJob[]): Promise<BatchedHoldOutcome[]> {
  const tiers = batch[0]?.pricing.tiers ?? [];
  if (batch.some((entry) => entry.pricing.tiers !== tiers)) throw new Error('a batch shares one set of markup tiers');
  const input = JSON.stringify(
    batch.map(({ job, ledgerEntryId, pricing }, seq) => ({
      seq,
      id: job.id,
      account_id: job.accountId,
      model: job.model,
      provider: job.provider,
      request: job.request,
      parameters: job.parameters,
      response_format: job.responseFormat,
      metadata: job.metadata,
      prices: job.prices,
      webhook_url: job.webhookUrl ?? null,
      route: job.route,
      ledger_entry_id: ledgerEntryId,
      // JSON has no 64-bit integers: bigints travel as strings.
      unit_micros: String(pricing.unitMicros),
      n: pricing.n,
    })),
  );
  const values = [input, tiers.map((tier) => tier.fromSpendMicros), tiers.map((tier) => tier.permille)];
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await db.query<BatchRow>({ name: 'insert-jobs-with-holds', text: STATEMENT, values });
      const byId = new Map(rows.map((row) => [row.batch_job_id, row]));
      return batch.map(({ job }) => outcomeOf(byId.get(job.id), job.id));
    } catch (error) {
      const code = errorCodeOf(error);
      if (attempt >= ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw error;
    }
  }
}

function outcomeOf(row: BatchRow | undefined, id: string): BatchedHoldOutcome {
  if (row === undefined) throw new Error(`the batch statement said nothing about job ${id}`);
  const { batch_job_id, batch_held, batch_hold_micros, batch_available_micros, ...job } = row;
  if (!batch_held) return { held: false, holdMicros: batch_hold_micros, availableMicros: batch_available_micros };
  // Unreachable (a held job is inserted in the same statement), but a hold must never answer without its job.
  if (job.id !== id) throw new Error(`job ${id} was held but its row did not come back`);
  return { held: true, job };
}

// `account` locks each account once, in id order, and (READ COMMITTED) reads the latest committed
// balance even when it had to wait for the lock. `scan` walks each account's jobs in arrival order
// carrying what the held ones used: the exact sequential check, where a running sum over all jobs
// would wrongly refuse a small job after a large refused one. Tiers and rounding are those of
// `insert-job-with-hold`.
const STATEMENT = `with recursive input as (
   select * from jsonb_to_recordset($1::jsonb) as t (seq int, id text, account_id text, model text, provider text,
     request jsonb, parameters jsonb, response_format text, metadata jsonb, prices jsonb, webhook_url text,
     route jsonb, ledger_entry_id text, unit_micros bigint, n int)
 ), account as (
   select accounts.id, accounts.balance_micros - accounts.held_micros as available,
     (select tiers.permille from unnest($2::bigint[], $3::int[]) as tiers (from_micros, permille)
      where tiers.from_micros <= coalesce((select sum(spend.micros) from account_daily_spend spend
        where spend.account_id = accounts.id and spend.day > current_date - 90), 0)
      order by tiers.from_micros desc limit 1) as permille
   from accounts where accounts.id in (select account_id from input)
   order by accounts.id for update of accounts
 ), priced as (
   select input.*, account.permille, (((input.unit_micros * account.permille) + 500) / 1000) * input.n as hold,
     row_number() over (partition by input.account_id order by input.seq) as rank
   from input join account on account.id = input.account_id where account.permille is not null
 ), scan as (
   select priced.id, priced.account_id, priced.rank, account.available, 0::bigint as used_before,
     priced.hold <= account.available as held,
     case when priced.hold <= account.available then priced.hold else 0 end as used_after
   from priced join account on account.id = priced.account_id where priced.rank = 1
   union all
   select priced.id, priced.account_id, priced.rank, scan.available, scan.used_after,
     scan.used_after + priced.hold <= scan.available,
     scan.used_after + case when scan.used_after + priced.hold <= scan.available then priced.hold else 0 end
   from scan join priced on priced.account_id = scan.account_id and priced.rank = scan.rank + 1
 ), job as (
   insert into jobs (id, account_id, model, provider, request, parameters, response_format, metadata, prices,
     markup_permille, hold_micros, webhook_url, route)
   select priced.id, priced.account_id, priced.model, priced.provider, priced.request, priced.parameters,
     priced.response_format, priced.metadata, priced.prices, priced.permille, priced.hold, priced.webhook_url,
     priced.route
   from priced join scan on scan.id = priced.id where scan.held
   returning *
 ), ledger as (
   insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
   select input.ledger_entry_id, job.account_id, 'hold', 0, job.hold_micros, job.id
   from job join input on input.id = job.id
 ), held as (
   update accounts set held_micros = accounts.held_micros + totals.micros
   from (select account_id, sum(hold_micros)::bigint as micros from job group by account_id) as totals
   where accounts.id = totals.account_id
 )
 select input.id as batch_job_id, coalesce(scan.held, false) as batch_held,
   coalesce(priced.hold, 0)::bigint as batch_hold_micros,
   coalesce(scan.available - scan.used_before, account.available, 0)::bigint as batch_available_micros, job.*
 from input
 left join priced on priced.id = input.id
 left join scan on scan.id = input.id
 left join account on account.id = input.account_id
 left join job on job.id = input.id`;
