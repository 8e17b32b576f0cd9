import type { Queryable } from './pool.ts';

export interface AccountBalance {
  balance_micros: bigint;
  held_micros: bigint;
}

/** Locks the account row for the rest of the transaction (serialises holds and credits per account). */
export async function lockAccountBalance(db: Queryable, accountId: string): Promise<AccountBalance | undefined> {
  const { rows } = await db.query<AccountBalance>(
    'select balance_micros, held_micros from accounts where id = $1 for update',
    [accountId],
  );
  return rows[0];
}

export async function findAccountBalance(db: Queryable, accountId: string): Promise<AccountBalance | undefined> {
  const { rows } = await db.query<AccountBalance>('select balance_micros, held_micros from accounts where id = $1', [
    accountId,
  ]);
  return rows[0];
}

/** Applies a change to balance and held (the accounts check keeps balance ≥ held ≥ 0). */
export async function changeAccountBalance(
  db: Queryable,
  accountId: string,
  change: { balanceMicros: bigint; heldMicros: bigint },
): Promise<void> {
  await db.query(
    'update accounts set balance_micros = balance_micros + $2, held_micros = held_micros + $3 where id = $1',
    [accountId, change.balanceMicros, change.heldMicros],
  );
}

/** Spend over the last 90 days (today included), for the markup tier. */
export async function spendLast90Days(db: Queryable, accountId: string): Promise<bigint> {
  const { rows } = await db.query<{ spend: bigint | null }>(
    `select sum(micros)::bigint as spend from account_daily_spend where account_id = $1 and day > current_date - 90`,
    [accountId],
  );
  return rows[0]?.spend ?? 0n;
}

export async function addDailySpend(db: Queryable, accountId: string, micros: bigint): Promise<void> {
  await db.query(
    `insert into account_daily_spend (account_id, day, micros) values ($1, current_date, $2)
     on conflict (account_id, day) do update set micros = account_daily_spend.micros + excluded.micros`,
    [accountId, micros],
  );
}

/** One day of an account's spend: what settlements debited, and how many jobs they charged. */
export interface DailySpendRow {
  /** `YYYY-MM-DD`, the database's date (UTC unless the server says otherwise), as settlement records it. */
  day: string;
  micros: bigint;
  jobs: bigint;
}

/**
 * The last `days` days (today included), oldest first, a row for every day even without spend:
 * the same days and sums as `spendLast90Days` for 90, and the jobs charged each day (their debit
 * entries, written in the same statement as the day's spend, so on the same date).
 */
export async function dailySpend(db: Queryable, accountId: string, days: number): Promise<DailySpendRow[]> {
  const { rows } = await db.query<DailySpendRow>(
    `with calendar as (
       select generate_series(current_date - ($2::int - 1), current_date, interval '1 day')::date as day
     ), debits as (
       select created_at::date as day, count(*)::bigint as jobs from ledger_entries
       where account_id = $1 and type = 'debit' and created_at >= current_date - ($2::int - 1)
       group by 1
     )
     select to_char(calendar.day, 'YYYY-MM-DD') as day, coalesce(spend.micros, 0)::bigint as micros,
       coalesce(debits.jobs, 0)::bigint as jobs
     from calendar
     left join account_daily_spend spend on spend.account_id = $1 and spend.day = calendar.day
     left join debits on debits.day = calendar.day
     order by calendar.day`,
    [accountId, days],
  );
  return rows;
}
