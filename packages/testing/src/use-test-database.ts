import type { Pool } from '@imagegate/db';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { findMoneyViolations } from './money-invariants.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/** The money tables, emptied between tests that seed their own accounts and jobs. */
export async function emptyMoneyTables(pool: Pool): Promise<void> {
  await pool.query('truncate ledger_entries, account_daily_spend, jobs, api_keys, accounts cascade');
}

/**
 * This test file's own database (cloned from the migrated template): created before its tests,
 * dropped after them. `checkMoneyAfterEach` asserts the money invariants after every test;
 * `emptyBeforeEach` starts every test from empty money tables.
 */
export function useTestDatabase(options: { checkMoneyAfterEach?: boolean; emptyBeforeEach?: boolean } = {}): {
  readonly pool: Pool;
} {
  let database: TestDatabase | undefined;
  const handle = {
    get pool(): Pool {
      if (database === undefined) throw new Error('the test database is created in beforeAll');
      return database.pool;
    },
  };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  if (options.emptyBeforeEach) beforeEach(() => emptyMoneyTables(handle.pool));
  if (options.checkMoneyAfterEach) {
    afterEach(async () => {
      expect(await findMoneyViolations(handle.pool)).toEqual([]);
    });
  }
  return handle;
}
