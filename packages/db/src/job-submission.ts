import type { JobRow, NewJob } from './jobs.ts';
import type { Queryable } from './pool.ts';

export interface HoldPricing {
  /** Catalog price of one image before markup (the dearest outcome the request allows). */
  unitMicros: bigint;
  n: number;
  /** Markup tiers by 90-day spend, ascending: from which spend (micro-USD) which markup (thousandths). */
  tiers: readonly { fromSpendMicros: bigint; permille: number }[];
}

/**
 * Records a job and takes its hold in ONE statement, so the account row is locked only for that
 * statement: the markup tier comes from the 90-day spend, the hold is round(unit × markup) × n,
 * and the conditional update takes it only if it fits the available balance. Returns undefined
 * (and changes nothing) when it does not fit.
 */
export async function insertJobWithHold(
  db: Queryable,
  job: Omit<NewJob, 'markupPermille' | 'holdMicros'>,
  ledgerEntryId: string,
  pricing: HoldPricing,
): Promise<JobRow | undefined> {
  // Named: prepared once per connection, so Postgres plans this six-part statement only once.
  const { rows } = await db.query<JobRow>({
    name: 'insert-job-with-hold',
    text: `with spend as (
       select coalesce(sum(micros), 0)::bigint as micros
       from account_daily_spend where account_id = $2 and day > current_date - 90
     ), tier as (
       select tiers.permille from unnest($13::bigint[], $14::int[]) as tiers (from_micros, permille), spend
       where tiers.from_micros <= spend.micros order by tiers.from_micros desc limit 1
     ), quote as (
       select tier.permille, ((($15::bigint * tier.permille) + 500) / 1000) * $16::bigint as hold from tier
     ), held as (
       update accounts set held_micros = held_micros + quote.hold from quote
       where accounts.id = $2 and accounts.balance_micros - accounts.held_micros >= quote.hold
       returning quote.hold, quote.permille
     ), job as (
       insert into jobs (id, account_id, model, provider, request, parameters, response_format, metadata,
         prices, idempotency_key, request_hash, markup_permille, hold_micros, webhook_url, route)
       select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, held.permille, held.hold, $17, $18 from held
       returning *
     ), ledger as (
       insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
       select $12, $2, 'hold', 0, job.hold_micros, job.id from job
     )
     select * from job`,
    values: [
      job.id,
      job.accountId,
      job.model,
      job.provider,
      job.request,
      job.parameters,
      job.responseFormat,
      job.metadata,
      job.prices,
      job.idempotencyKey ?? null,
      job.requestHash ?? null,
      ledgerEntryId,
      pricing.tiers.map((tier) => tier.fromSpendMicros),
      pricing.tiers.map((tier) => tier.permille),
      pricing.unitMicros,
      pricing.n,
      job.webhookUrl ?? null,
      JSON.stringify(job.route),
    ],
  });
  return rows[0];
}
