import { newId } from '@imagegate/core';
import type { Queryable } from './pool.ts';

export interface AccountRow {
  id: string;
  name: string;
  created_at: Date;
}

export async function insertAccount(db: Queryable, input: { name: string; id?: string }): Promise<AccountRow> {
  const { rows } = await db.query<AccountRow>(
    'insert into accounts (id, name) values ($1, $2) returning id, name, created_at',
    [input.id ?? newId('acct'), input.name],
  );
  return rows[0] as AccountRow;
}

export async function findAccount(db: Queryable, id: string): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>('select id, name, created_at from accounts where id = $1', [id]);
  return rows[0];
}

export async function findAccountByName(db: Queryable, name: string): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    'select id, name, created_at from accounts where name = $1 order by id limit 1',
    [name],
  );
  return rows[0];
}

/** An account with its balance, as the admin API shows it. */
export interface AccountWithBalanceRow extends AccountRow {
  balance_micros: bigint;
  held_micros: bigint;
}

/** `%`, `_` and `\` match themselves in a `like` pattern built from `text`. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (special) => `\\${special}`);
}

/**
 * Accounts newest first (ids sort by creation time), `after` the last id of the previous page.
 * `q` keeps those whose name contains it (any case) or whose id is it or starts with it.
 */
export async function listAccounts(
  db: Queryable,
  options: { q?: string | undefined; limit: number; after?: string | undefined },
): Promise<AccountWithBalanceRow[]> {
  const q = options.q === undefined || options.q === '' ? null : likeLiteral(options.q);
  const { rows } = await db.query<AccountWithBalanceRow>(
    `select id, name, created_at, balance_micros, held_micros from accounts
     where ($1::text is null or name ilike '%' || $1 || '%' or id like $1 || '%')
       and ($2::text is null or id < $2)
     order by id desc limit $3`,
    [q, options.after ?? null, options.limit],
  );
  return rows;
}
