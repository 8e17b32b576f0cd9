import type { Pool } from '@imagegate/db';
import { expect } from 'vitest';
import { generateOperationFixture } from './job-fixtures.ts';
import { findMoneyViolations } from './money-invariants.ts';

// Finished jobs with open holds for settlement tests, seeded in SQL. Prices are written here by
// hand so the expected charges do not come from the pricing code:
// 10,000 micros an image at markup 1.5 → 15,000 micros an image, held for every image asked for.
export const PER_IMAGE = 15_000n;
const PRICES = { m: { tiers: [{ maxPixels: 100_000_000, micros: { low: '10000', medium: '10000', high: '10000' } }] } };
export const GRANT = 1_000_000_000n;
const FIXTURE = generateOperationFixture({ model: 'm' });

type SeededStatus = 'succeeded' | 'failed' | 'canceled' | 'in_progress';
export interface SeededJob {
  id: string;
  accountId: string;
  status: SeededStatus;
  asked: number;
  delivered: number;
}

/** What a job should be charged: every delivered image (up to what was asked for) if it succeeded. */
export function expectedCharge(job: SeededJob): bigint {
  return job.status === 'succeeded' ? PER_IMAGE * BigInt(Math.min(job.delivered, job.asked)) : 0n;
}

export async function seedAccounts(pool: Pool, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `acct_${String(index).padStart(4, '0')}`);
  await pool.query(`insert into accounts (id, name, balance_micros) select id, id, $2 from unnest($1::text[]) id`, [
    ids,
    GRANT,
  ]);
  await pool.query(
    `insert into ledger_entries (id, account_id, type, amount_micros, reason)
     select 'led_grant_' || id, id, 'grant', $2, 'test grant' from unnest($1::text[]) id`,
    [ids, GRANT],
  );
  return ids;
}

/** Finished jobs with open holds (hold ledger entry and account held included), as submission leaves them. */
export async function seedJobs(pool: Pool, jobs: readonly SeededJob[]): Promise<void> {
  await pool.query(
    `insert into jobs (id, operation, account_id, status, model, provider, request, parameters, response_format,
       images, result, markup_permille, prices, hold_micros, completed_at)
     select j.id, 'generate', j.account_id, j.status, 'm', 'openai', $8::jsonb || jsonb_build_object('n', j.asked),
       $9::jsonb || jsonb_build_object('n', j.asked), 'url',
       (select coalesce(jsonb_agg(jsonb_build_object('key', j.id || '/' || i, 'content_type', 'image/png', 'bytes', 1)), '[]')
        from generate_series(1, j.delivered) i),
       case when j.status = 'succeeded' then '{"created": 1, "size": "1024x1024", "quality": "low",
         "output_format": "png", "background": "opaque"}'::jsonb end,
       1500, $6::jsonb, $7 * j.asked, case when j.status <> 'in_progress' then now() end
     from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[])
       as j(id, account_id, status, asked, delivered)`,
    [
      jobs.map((job) => job.id),
      jobs.map((job) => job.accountId),
      jobs.map((job) => job.status),
      jobs.map((job) => job.asked),
      jobs.map((job) => job.delivered),
      JSON.stringify(PRICES),
      PER_IMAGE,
      JSON.stringify(FIXTURE.request),
      JSON.stringify(FIXTURE.parameters),
    ],
  );
  await pool.query(
    `insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id)
     select 'led_hold_' || id, account_id, 'hold', 0, hold_micros, id from jobs where id = any($1)`,
    [jobs.map((job) => job.id)],
  );
  await pool.query(
    `update accounts a set held_micros = a.held_micros + s.held
     from (select account_id, sum(hold_micros) as held from jobs where id = any($1) group by account_id) s
     where a.id = s.account_id`,
    [jobs.map((job) => job.id)],
  );
}

/** `count` succeeded jobs spread round-robin over `accounts`, asking 1–4 images and delivering some. */
export function succeededJobs(count: number, accounts: readonly string[], prefix = 'job'): SeededJob[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${prefix}_${String(index).padStart(5, '0')}`,
    accountId: accounts[index % accounts.length] ?? 'missing',
    status: 'succeeded' as const,
    asked: 1 + (index % 4),
    delivered: 1 + ((index * 7) % 4),
  }));
}

export async function settlementTotals(
  pool: Pool,
): Promise<{ debits: bigint; spend: bigint; held: bigint; debitEntries: number }> {
  const { rows } = await pool.query<{ debits: bigint; spend: bigint; held: bigint; debit_entries: number }>(
    `select coalesce(-sum(amount_micros) filter (where type = 'debit'), 0)::bigint as debits,
       count(*) filter (where type = 'debit')::int as debit_entries,
       (select coalesce(sum(micros), 0)::bigint from account_daily_spend) as spend,
       (select coalesce(sum(held_micros), 0)::bigint from accounts) as held
     from ledger_entries`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error('no totals');
  return { debits: row.debits, spend: row.spend, held: row.held, debitEntries: row.debit_entries };
}

export function sum(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}

/** How many debit entries the ledger holds for `jobId`: 1 once it was charged, never more. */
export async function debitEntriesOf(pool: Pool, jobId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "select count(*)::int as n from ledger_entries where job_id = $1 and type = 'debit'",
    [jobId],
  );
  return rows[0]?.n ?? 0;
}

/** Every seeded job settled exactly once: debits and spend are their charges, nothing held, one debit each. */
export async function expectSettledExactly(pool: Pool, jobs: readonly SeededJob[]): Promise<void> {
  const expected = sum(jobs.map(expectedCharge));
  expect(await settlementTotals(pool)).toEqual({
    debits: expected,
    spend: expected,
    held: 0n,
    debitEntries: jobs.length,
  });
  expect(await findMoneyViolations(pool)).toEqual([]);
}
