import { newId } from '@imagegate/core';
import type { Queryable } from './pool.ts';

export interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, account_id, name, prefix, created_at, revoked_at';

export async function insertApiKey(
  db: Queryable,
  input: { accountId: string; name: string; prefix: string; keyHash: Buffer },
): Promise<ApiKeyRow> {
  const { rows } = await db.query<ApiKeyRow>(
    `insert into api_keys (id, account_id, name, prefix, key_hash) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
    [newId('key'), input.accountId, input.name, input.prefix, input.keyHash],
  );
  return rows[0] as ApiKeyRow;
}

export async function findApiKeyByHash(db: Queryable, keyHash: Buffer): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(`select ${COLUMNS} from api_keys where key_hash = $1`, [keyHash]);
  return rows[0];
}

/** Marks a key revoked; returns it, or undefined when there is no such key. Revoking twice keeps the first time. */
export async function revokeApiKey(db: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
    [id],
  );
  return rows[0];
}

/** An account's keys, newest first, revoked ones included. */
export async function listApiKeysForAccount(db: Queryable, accountId: string): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `select ${COLUMNS} from api_keys where account_id = $1 order by created_at desc, id desc`,
    [accountId],
  );
  return rows;
}
