import { newId } from '@imagegate/core';
import { type BatchedJob, createAccountWithGrant, type Pool } from '@imagegate/db';
import { generateOperationFixture } from './job-fixtures.ts';

// Jobs to hold for submission tests. 1.5x below $10 of 90-day spend, 1.2x from there: the hold of
// a $0.01 image is 15,000 micros.
const TIERS = [
  { fromSpendMicros: 0n, permille: 1500 },
  { fromSpendMicros: 10_000_000n, permille: 1200 },
];

/** A new account granted `starterMicros`; returns its id. */
export async function createFundedAccount(pool: Pool, starterMicros: bigint): Promise<string> {
  const created = await createAccountWithGrant(pool, {
    name: `batch-${newId('acct')}`,
    starterMicros,
  });
  return created.id;
}

/** A job of `n` images at `unitMicros` each (before markup), as submission hands it to the hold statement. */
export function jobToHold(
  accountId: string,
  unitMicros = 10_000n,
  n = 1,
  overrides: Partial<Omit<BatchedJob['job'], 'operation' | 'request' | 'parameters' | 'route'>> = {},
): BatchedJob {
  return {
    job: {
      ...generateOperationFixture({ n, model: 'gpt-image-2.6-flare' }),
      id: newId('job'),
      accountId,
      model: 'gpt-image-2.6-flare',
      provider: 'openai',
      responseFormat: 'url',
      metadata: {},
      prices: { 'gpt-image-2.6-flare': { tiers: [] } },
      ...overrides,
    },
    ledgerEntryId: newId('led'),
    pricing: { unitMicros, n, tiers: TIERS },
  };
}

/** What the account holds now (-1 when there is no such account). */
export async function heldMicrosOf(pool: Pool, accountId: string): Promise<bigint> {
  const { rows } = await pool.query<{ held_micros: bigint }>('select held_micros from accounts where id = $1', [
    accountId,
  ]);
  return rows[0]?.held_micros ?? -1n;
}

/** How many jobs the account has. */
export async function jobCountOf(pool: Pool, accountId: string): Promise<number> {
  const { rows } = await pool.query<{ count: bigint }>('select count(*) from jobs where account_id = $1', [accountId]);
  return Number(rows[0]?.count ?? -1n);
}
