import type { Pool } from '@imagegate/db';

export interface MoneyViolation {
  accountId: string;
  balance: bigint;
  ledgerBalance: bigint;
  held: bigint;
  ledgerHeld: bigint;
  openHolds: bigint;
}

/**
 * The money invariant (docs/architecture.md) for every account: balance = Σ ledger amounts, and held = Σ ledger held
 * changes = Σ holds of jobs not yet settled. Returns the accounts that break it (none, we hope).
 */
export async function findMoneyViolations(pool: Pool): Promise<MoneyViolation[]> {
  const { rows } = await pool.query<{
    id: string;
    balance_micros: bigint;
    held_micros: bigint;
    ledger_balance: bigint;
    ledger_held: bigint;
    open_holds: bigint;
  }>(
    `select a.id, a.balance_micros, a.held_micros,
       coalesce((select sum(amount_micros) from ledger_entries l where l.account_id = a.id), 0)::bigint as ledger_balance,
       coalesce((select sum(held_micros) from ledger_entries l where l.account_id = a.id), 0)::bigint as ledger_held,
       coalesce((select sum(hold_micros) from jobs j where j.account_id = a.id and j.settled_at is null), 0)::bigint as open_holds
     from accounts a`,
  );
  return rows
    .filter(
      (row) =>
        row.balance_micros !== row.ledger_balance ||
        row.held_micros !== row.ledger_held ||
        row.held_micros !== row.open_holds,
    )
    .map((row) => ({
      accountId: row.id,
      balance: row.balance_micros,
      ledgerBalance: row.ledger_balance,
      held: row.held_micros,
      ledgerHeld: row.ledger_held,
      openHolds: row.open_holds,
    }));
}

/** Waits until every finished job has been settled (or the deadline passes). */
export async function waitForSettlements(pool: Pool, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ open: bigint }>(`select count(*) as open from jobs where settled_at is null`);
    if ((rows[0]?.open ?? 0n) === 0n || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
