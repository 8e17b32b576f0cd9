import { DEFAULT_DATABASE_POOL_SIZE } from '@imagegate/core';
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Either a pool or a client inside a transaction: query functions take this. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

// bigint columns (money, counts) come back as JS bigint, never as a lossy number or a string.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => BigInt(value));

export interface PoolOptions {
  /** Most connections this process opens (default 10). */
  max?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

export function createPool(connectionString: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? DEFAULT_DATABASE_POOL_SIZE,
    application_name: options.applicationName ?? 'imagegate',
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its server (restart, pg_terminate_backend) emits here; the pool
  // replaces it. Without a listener the process would crash.
  pool.on('error', () => {});
  return pool;
}

/** Runs `fn` in one transaction: commit on return, rollback on throw. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is not handed out again.
    await client.query('rollback').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
