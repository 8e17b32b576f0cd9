import { errorCodeOf } from '@imagegate/core';
import { type JobRow, jobColumnsSchema } from './job-row.ts';
import type { NewJob } from './jobs.ts';
import type { Queryable } from './pool.ts';

/** What a job's hold is computed from (with the account's markup tier, in SQL). */
export interface HoldPricing {
  /** Catalog price of one image before markup (the dearest outcome the request allows). */
  unitMicros: bigint;
  n: number;
  /** Markup tiers by 90-day spend, ascending: from which spend (micro-USD) which markup (thousandths). */
  tiers: readonly { fromSpendMicros: bigint; permille: number }[];
}

/** One job to record with its hold. */
export interface BatchedJob {
  job: NewJob;
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

interface BatchRow extends Record<string, unknown> {
  batch_job_id: string;
  batch_held: boolean;
  batch_hold_micros: bigint;
  batch_available_micros: bigint;
}

/**
 * THE submission statement: records jobs with their holds, each job exactly as if the batch's jobs
 * had come one after another: per account, a job is held only if its hold (the markup tier of the
 * account's 90-day spend, `imagegate_markup_permille`, applied by `imagegate_with_markup`, × n) fits
 * the balance left after the jobs before it that were held; a refused one changes nothing and says
 * what it needed and what was available. The accounts are locked in id order (batches cannot
 * deadlock each other) for the statement only. A submit with an Idempotency-Key is a batch of one,
 * whose unique-key violation (a racing replay) fails the statement.
 */
export async function insertJobsWithHolds(db: Queryable, batch: readonly BatchedJob[]): Promise<BatchedHoldOutcome[]> {
  const tiers = batch[0]?.pricing.tiers ?? [];
  if (batch.some((entry) => entry.pricing.tiers !== tiers)) throw new Error('a batch shares one set of markup tiers');
  const input = JSON.stringify(
    batch.map(({ job, ledgerEntryId, pricing }, seq) => ({
      seq,
      id: job.id,
      operation: job.operation,
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
      idempotency_key: job.idempotencyKey ?? null,
      request_hash: job.requestHash ?? null,
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
      return batch.map(({ job }) => outcomeOf(byId.get(job.id), job));
    } catch (error) {
      const code = errorCodeOf(error);
      if (attempt >= ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw error;
    }
  }
}

function outcomeOf(row: BatchRow | undefined, job: NewJob): BatchedHoldOutcome {
  if (row === undefined) throw new Error(`the batch statement said nothing about job ${job.id}`);
  const { batch_job_id, batch_held, batch_hold_micros, batch_available_micros, ...columns } = row;
  if (!batch_held) return { held: false, holdMicros: batch_hold_micros, availableMicros: batch_available_micros };
  // Unreachable (a held job is inserted in the same statement), but a hold must never answer without its job.
  if (columns.id !== job.id) throw new Error(`job ${job.id} was held but its row did not come back`);
  return { held: true, job: heldJobRow(job, columns) };
}

/**
 * The columns the submission statement writes from its input come back as they went in: the
 * statement returns only the others (what Postgres computed or defaulted), so the large JSON
 * documents (request, parameters, route, prices) are neither sent back nor parsed again.
 */
const RETURNED_COLUMNS = jobColumnsSchema.omit({ metadata: true, prices: true });
const RETURNED_LIST = Object.keys(RETURNED_COLUMNS.shape)
  .map((column) => `job.${column}`)
  .join(', ');

/** The held job's row as `select *` would read it: the returned columns with the job as it was submitted. */
function heldJobRow(job: NewJob, columns: Record<string, unknown>): JobRow {
  const parsed = RETURNED_COLUMNS.safeParse(columns);
  if (!parsed.success) throw new Error(`job ${job.id} does not parse: ${parsed.error.message}`);
  const { id, accountId, responseFormat, idempotencyKey, requestHash, webhookUrl, metadata, prices, ...operation } =
    job;
  return { ...parsed.data, metadata, prices, ...operation };
}

// `account` locks each account once, in id order, and (READ COMMITTED) reads the latest committed
// balance even when it had to wait for the lock. `scan` walks each account's jobs in arrival order
// carrying what the held ones used: the exact sequential check, where a running sum over all jobs
// would wrongly refuse a small job after a large refused one. Tiers and rounding are the SQL
// functions of migration 0006, the one place the markup rule is written.
const STATEMENT = `with recursive input as (
   select * from jsonb_to_recordset($1::jsonb) as t (seq int, id text, operation text, account_id text, model text,
     provider text, request jsonb, parameters jsonb, response_format text, metadata jsonb, prices jsonb,
     webhook_url text, route jsonb, idempotency_key text, request_hash text, ledger_entry_id text,
     unit_micros bigint, n int)
 ), account as (
   select accounts.id, accounts.balance_micros - accounts.held_micros as available,
     imagegate_markup_permille(accounts.id, $2::bigint[], $3::int[]) as permille
   from accounts where accounts.id in (select account_id from input)
   order by accounts.id for update of accounts
 ), priced as (
   select input.*, account.permille, imagegate_with_markup(input.unit_micros, account.permille) * input.n as hold,
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
   insert into jobs (id, operation, account_id, model, provider, request, parameters, response_format, metadata,
     prices, markup_permille, hold_micros, webhook_url, route, idempotency_key, request_hash)
   select priced.id, priced.operation, priced.account_id, priced.model, priced.provider, priced.request,
     priced.parameters, priced.response_format, priced.metadata, priced.prices, priced.permille, priced.hold,
     priced.webhook_url, priced.route, priced.idempotency_key, priced.request_hash
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
   coalesce(scan.available - scan.used_before, account.available, 0)::bigint as batch_available_micros, ${RETURNED_LIST}
 from input
 left join priced on priced.id = input.id
 left join scan on scan.id = input.id
 left join account on account.id = input.account_id
 left join job on job.id = input.id`;
