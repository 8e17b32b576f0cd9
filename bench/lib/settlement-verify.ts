/**
 * The settlement benchmark's exactness check, run after every pass (baseline and imagegate alike).
 */
import type { Pool } from '@imagegate/db';

export interface Verification {
  exact: boolean;
  /** Σ debit entries, and Σ chargeForJob over the jobs the pass took. */
  debitSum: bigint;
  expectedSum: bigint;
  problems: string[];
}

/**
 * Checks a pass exactly. The jobs it took must be settled with a debit of chargeForJob and a
 * release of the rest of the hold; any others must be untouched with their hold open. Every
 * account: balance = Σ ledger amounts, held = Σ ledger held = Σ open holds.
 */
export async function verifySettlement(
  pool: Pool,
  expected: { byJob: ReadonlyMap<string, bigint> },
  taken: ReadonlySet<string>,
): Promise<Verification> {
  const problems: string[] = [];
  let expectedSum = 0n;
  for (const id of taken) expectedSum += expected.byJob.get(id) ?? 0n;
  const { rows } = await pool.query<{
    id: string;
    settled: boolean;
    charged_micros: bigint | null;
    hold_micros: bigint;
    debit_amount: bigint | null;
    debit_held: bigint | null;
    release_amount: bigint | null;
    release_held: bigint | null;
  }>(
    `select j.id, j.settled_at is not null as settled, j.charged_micros, j.hold_micros,
       d.amount_micros as debit_amount, d.held_micros as debit_held,
       r.amount_micros as release_amount, r.held_micros as release_held
     from jobs j
     left join ledger_entries d on d.job_id = j.id and d.type = 'debit'
     left join ledger_entries r on r.job_id = j.id and r.type = 'release'`,
  );
  let unsettled = 0;
  let touched = 0;
  let wrongCharge = 0;
  let wrongDebit = 0;
  let wrongRelease = 0;
  for (const row of rows) {
    const charge = expected.byJob.get(row.id);
    if (charge === undefined) {
      problems.push(`job ${row.id} was not seeded`);
      continue;
    }
    if (!taken.has(row.id)) {
      if (row.settled || row.charged_micros !== null || row.debit_amount !== null || row.release_amount !== null) {
        touched++;
      }
      continue;
    }
    if (!row.settled) unsettled++;
    if (row.charged_micros !== charge) wrongCharge++;
    const debitOk =
      charge === 0n ? row.debit_amount === null : row.debit_amount === -charge && row.debit_held === -charge;
    if (!debitOk) wrongDebit++;
    const released = row.hold_micros - charge;
    const releaseOk =
      released === 0n ? row.release_amount === null : row.release_amount === 0n && row.release_held === -released;
    if (!releaseOk) wrongRelease++;
  }
  if (rows.length !== expected.byJob.size) {
    problems.push(`${rows.length} jobs in the table, ${expected.byJob.size} seeded`);
  }
  if (unsettled > 0) problems.push(`${unsettled} jobs not settled`);
  if (touched > 0) problems.push(`${touched} jobs settled that the pass never took`);
  if (wrongCharge > 0) problems.push(`${wrongCharge} jobs with charged_micros ≠ chargeForJob`);
  if (wrongDebit > 0) problems.push(`${wrongDebit} jobs with a debit entry ≠ chargeForJob`);
  if (wrongRelease > 0) problems.push(`${wrongRelease} jobs with a release entry ≠ hold − charge`);

  const sums = await pool.query<{ debits: bigint; spend: bigint }>(
    `select coalesce(-sum(amount_micros) filter (where type = 'debit'), 0)::bigint as debits,
       (select coalesce(sum(micros), 0)::bigint from account_daily_spend) as spend
     from ledger_entries`,
  );
  const debitSum = sums.rows[0]?.debits ?? -1n;
  if (debitSum !== expectedSum) problems.push(`Σ debits ${debitSum} ≠ Σ chargeForJob ${expectedSum}`);
  const spend = sums.rows[0]?.spend ?? -1n;
  if (spend !== expectedSum) problems.push(`Σ daily spend ${spend} ≠ Σ chargeForJob ${expectedSum}`);

  const violations = await pool.query<{
    id: string;
    balance: bigint;
    ledger: bigint;
    held: bigint;
    ledger_held: bigint;
    open_holds: bigint;
  }>(
    `with l as (
       select account_id, sum(amount_micros)::bigint as balance, sum(held_micros)::bigint as held
       from ledger_entries group by account_id
     ), o as (
       select account_id, sum(hold_micros)::bigint as held from jobs where settled_at is null group by account_id
     )
     select a.id, a.balance_micros as balance, coalesce(l.balance, 0)::bigint as ledger,
       a.held_micros as held, coalesce(l.held, 0)::bigint as ledger_held, coalesce(o.held, 0)::bigint as open_holds
     from accounts a left join l on l.account_id = a.id left join o on o.account_id = a.id
     where a.balance_micros <> coalesce(l.balance, 0) or a.held_micros <> coalesce(l.held, 0)
       or a.held_micros <> coalesce(o.held, 0)`,
  );
  for (const row of violations.rows.slice(0, 3)) {
    problems.push(
      `account ${row.id}: balance ${row.balance} vs ledger ${row.ledger}, ` +
        `held ${row.held} vs ledger ${row.ledger_held} vs open holds ${row.open_holds}`,
    );
  }
  if (violations.rows.length > 3) {
    problems.push(`… and ${violations.rows.length - 3} more accounts break the invariants`);
  }
  return { exact: problems.length === 0, debitSum, expectedSum, problems };
}
