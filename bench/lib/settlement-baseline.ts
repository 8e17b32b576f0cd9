/**
 * The settlement benchmark's baseline: raw batched SQL, the charge computed in SQL from inputs the
 * seed precomputed (bench_charge), no queue, one connection.
 */
import { performance } from 'node:perf_hooks';
import { createPool } from '@imagegate/db';
import { type Pass, timed } from './pass-timing.ts';

/** Jobs per baseline statement. */
export const BASELINE_BATCH = 1_000;

/**
 * The raw batched SQL settle: per statement, lock up to 1,000 jobs, compute each charge in SQL
 * (unit × markup rounded half up × images, capped at the hold), apply per-account sums, write the
 * debit/release ledger rows and the daily spend, and mark the jobs settled.
 */
const BASELINE_SETTLE_SQL = `
  with batch as materialized (
    select j.id, j.account_id, j.hold_micros,
      case when j.status = 'succeeded'
        then least(((c.unit_micros * j.markup_permille + 500) / 1000) * c.delivered, j.hold_micros)
        else 0 end::bigint as charged
    from jobs j join bench_charge c on c.job_id = j.id
    where j.id = any($1::text[]) and j.settled_at is null and j.status in ('succeeded', 'failed', 'canceled')
    for update of j
  ),
  per_account as (
    select account_id, sum(charged)::bigint as charged, sum(hold_micros)::bigint as held
    from batch group by account_id
  ),
  accounts_done as (
    update accounts a set balance_micros = a.balance_micros - p.charged, held_micros = a.held_micros - p.held
    from per_account p where a.id = p.account_id returning 1
  ),
  spend as (
    insert into account_daily_spend (account_id, day, micros)
    select account_id, current_date, charged from per_account where charged > 0
    on conflict (account_id, day) do update set micros = account_daily_spend.micros + excluded.micros
    returning 1
  ),
  ledger as (
    insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
    select 'led_' || replace(gen_random_uuid()::text, '-', ''), account_id, 'debit', -charged, -charged, id
    from batch where charged > 0
    union all
    select 'led_' || replace(gen_random_uuid()::text, '-', ''), account_id, 'release', 0, -(hold_micros - charged), id
    from batch where hold_micros > charged
    returning 1
  ),
  settled as (
    update jobs j set settled_at = now(), charged_micros = b.charged from batch b where j.id = b.id returning 1
  )
  select count(*)::integer as settled from settled`;

/** The baseline, one statement per BASELINE_BATCH jobs on one connection, under the same time budget. */
export const baselinePass: Pass = async ({ databaseUrl, ids, budgetS }) => {
  const pool = createPool(databaseUrl, { max: 1, applicationName: 'imagegate-bench-baseline' });
  try {
    await pool.query('select 1');
    return await timed(async (deadline) => {
      let attempted = 0;
      while (attempted < ids.length && performance.now() <= deadline) {
        const batch = ids.slice(attempted, attempted + BASELINE_BATCH);
        await pool.query(BASELINE_SETTLE_SQL, [batch]);
        attempted += batch.length;
      }
      return {
        taken: new Set(ids.slice(0, attempted)),
        budgetHit: attempted < ids.length,
        errors: 0,
        firstError: undefined,
      };
    }, budgetS);
  } finally {
    await pool.end();
  }
};
