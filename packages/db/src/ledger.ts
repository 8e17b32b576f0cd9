import { newId } from '@imagegate/core';
import type { Queryable } from './pool.ts';

export type LedgerType = 'grant' | 'top_up' | 'hold' | 'release' | 'debit' | 'refund' | 'adjustment';

export interface LedgerEntryRow {
  id: string;
  account_id: string;
  type: LedgerType;
  /** Change to the balance. */
  amount_micros: bigint;
  /** Change to what is held. */
  held_micros: bigint;
  job_id: string | null;
  reason: string | null;
  idempotency_key: string | null;
  created_at: Date;
}

export interface NewLedgerEntry {
  accountId: string;
  type: LedgerType;
  amountMicros: bigint;
  heldMicros?: bigint;
  jobId?: string | undefined;
  reason?: string | undefined;
  idempotencyKey?: string | undefined;
}

/**
 * Inserts an entry unless one with the same unique key exists (one hold/debit/release per job,
 * one credit per idempotency key). Returns it, or undefined when it was a duplicate.
 */
export async function insertLedgerEntry(db: Queryable, entry: NewLedgerEntry): Promise<LedgerEntryRow | undefined> {
  const { rows } = await db.query<LedgerEntryRow>(
    `insert into ledger_entries (id, account_id, type, amount_micros, held_micros, job_id, reason, idempotency_key)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing returning *`,
    [
      newId('led'),
      entry.accountId,
      entry.type,
      entry.amountMicros,
      entry.heldMicros ?? 0n,
      entry.jobId ?? null,
      entry.reason ?? null,
      entry.idempotencyKey ?? null,
    ],
  );
  return rows[0];
}

export async function findLedgerEntryByIdempotencyKey(
  db: Queryable,
  accountId: string,
  key: string,
): Promise<LedgerEntryRow | undefined> {
  const { rows } = await db.query<LedgerEntryRow>(
    'select * from ledger_entries where account_id = $1 and idempotency_key = $2',
    [accountId, key],
  );
  return rows[0];
}

/** Newest first; `after` is the id of the last entry of the previous page. */
export async function listLedgerEntries(
  db: Queryable,
  accountId: string,
  options: { limit: number; after?: string | undefined },
): Promise<LedgerEntryRow[]> {
  const { rows } = await db.query<LedgerEntryRow>(
    `select * from ledger_entries where account_id = $1 and ($2::text is null or id < $2) order by id desc limit $3`,
    [accountId, options.after ?? null, options.limit],
  );
  return rows;
}
