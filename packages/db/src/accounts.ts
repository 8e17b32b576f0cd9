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
