import { generateWebhookSecret, newId } from '@imagegate/core';
import {
  type BatchedHoldOutcome,
  type BatchedJob,
  createAccountWithGrant,
  createPool,
  insertJobsWithHolds,
} from '@imagegate/db';
import { createHoldBatcher } from '@imagegate/ingress';
import {
  createTestDatabase,
  findMoneyViolations,
  generateOperationFixture,
  type TestDatabase,
} from '@imagegate/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});
afterEach(async () => {
  expect(await findMoneyViolations(database.pool)).toEqual([]);
});

// 1.5x below $10 of 90-day spend, 1.2x from there: the hold of a $0.01 image is 15,000 micros.
const TIERS = [
  { fromSpendMicros: 0n, permille: 1500 },
  { fromSpendMicros: 10_000_000n, permille: 1200 },
];

async function account(starterMicros: bigint): Promise<string> {
  const created = await createAccountWithGrant(database.pool, {
    name: `batch-${newId('acct')}`,
    starterMicros,
    webhookSecret: generateWebhookSecret(),
  });
  return created.id;
}

function job(accountId: string, unitMicros = 10_000n, n = 1, overrides: Partial<BatchedJob['job']> = {}): BatchedJob {
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

async function heldOf(accountId: string): Promise<bigint> {
  const { rows } = await database.pool.query<{ held_micros: bigint }>(
    'select held_micros from accounts where id = $1',
    [accountId],
  );
  return rows[0]?.held_micros ?? -1n;
}

async function jobCount(accountId: string): Promise<number> {
  const { rows } = await database.pool.query<{ count: bigint }>('select count(*) from jobs where account_id = $1', [
    accountId,
  ]);
  return Number(rows[0]?.count ?? -1n);
}

const heldFlags = (outcomes: BatchedHoldOutcome[]) => outcomes.map((outcome) => outcome.held);

describe('insertJobsWithHolds', () => {
  it('holds exactly as many jobs of one account as its balance covers, in arrival order', async () => {
    const accountId = await account(150_000n); // ten holds of 15,000
    const batch = Array.from({ length: 50 }, () => job(accountId));
    const outcomes = await insertJobsWithHolds(database.pool, batch);
    expect(heldFlags(outcomes)).toEqual([...Array(10).fill(true), ...Array(40).fill(false)]);
    expect(outcomes[10]).toEqual({ held: false, holdMicros: 15_000n, availableMicros: 0n });
    expect(await heldOf(accountId)).toBe(150_000n);
    expect(await jobCount(accountId)).toBe(10);
  });

  it('holds a later job that fits what the held ones left, after refusing a larger one', async () => {
    const accountId = await account(100_000n);
    // Holds of 60,000, 45,000, 30,000 and 15,000 (× 1.5): after the first, 40,000 is left.
    const batch = [job(accountId, 40_000n), job(accountId, 30_000n), job(accountId, 20_000n), job(accountId, 10_000n)];
    const outcomes = await insertJobsWithHolds(database.pool, batch);
    expect(heldFlags(outcomes)).toEqual([true, false, true, false]);
    expect(outcomes[1]).toEqual({ held: false, holdMicros: 45_000n, availableMicros: 40_000n });
    expect(outcomes[3]).toEqual({ held: false, holdMicros: 15_000n, availableMicros: 10_000n });
    expect(await heldOf(accountId)).toBe(90_000n);
  });

  it('keeps accounts apart when their jobs are interleaved in one batch', async () => {
    const poor = await account(30_000n); // two holds
    const rich = await account(1_000_000n);
    const batch = Array.from({ length: 8 }, (_, index) => job(index % 2 === 0 ? poor : rich));
    const outcomes = await insertJobsWithHolds(database.pool, batch);
    expect(heldFlags(outcomes)).toEqual([true, true, true, true, false, true, false, true]);
    expect(await heldOf(poor)).toBe(30_000n);
    expect(await heldOf(rich)).toBe(60_000n);
  });

  it('records the job, its hold ledger entry and its price at the tier of the 90-day spend', async () => {
    const batched = await account(10_000_000n);
    // $10 of 90-day spend puts the account on the 1.2x tier.
    await database.pool.query(
      `insert into account_daily_spend (account_id, day, micros) values ($1, current_date, 10000000)`,
      [batched],
    );
    const submitted = job(batched, 12_345n, 3);
    const [outcome] = await insertJobsWithHolds(database.pool, [submitted]);
    if (!outcome?.held) throw new Error('the job should be held');
    expect(outcome.job).toMatchObject({
      status: 'queued',
      operation: 'generate',
      markup_permille: 1200,
      request: submitted.job.request,
      parameters: submitted.job.parameters,
      route: [],
      prices: submitted.job.prices,
      response_format: 'url',
    });
    expect(outcome.job.hold_micros).toBe(44_442n); // round(12,345 × 1.2) × 3
    const { rows } = await database.pool.query<{ type: string; held_micros: bigint }>(
      'select type, held_micros from ledger_entries where job_id = $1',
      [outcome.job.id],
    );
    expect(rows).toEqual([{ type: 'hold', held_micros: 44_442n }]);
  });

  it('never holds more than the balance when batches for one account run concurrently', async () => {
    const accountId = await account(300_000n); // twenty holds
    const batches = Array.from({ length: 6 }, () => Array.from({ length: 10 }, () => job(accountId)));
    const outcomes = (await Promise.all(batches.map((batch) => insertJobsWithHolds(database.pool, batch)))).flat();
    expect(outcomes.filter((outcome) => outcome.held)).toHaveLength(20);
    expect(await heldOf(accountId)).toBe(300_000n);
    expect(await jobCount(accountId)).toBe(20);
  });

  it('records nothing of a batch one of whose jobs cannot be inserted', async () => {
    const accountId = await account(1_000_000n);
    const batch = [job(accountId), job(accountId, 10_000n, 1, { responseFormat: 'gif' as 'url' }), job(accountId)];
    await expect(insertJobsWithHolds(database.pool, batch)).rejects.toMatchObject({ code: '23514' });
    expect(await heldOf(accountId)).toBe(0n);
    expect(await jobCount(accountId)).toBe(0);
  });
});

describe('createHoldBatcher', () => {
  it('answers each request of a failed batch alone: its neighbours are held, the bad one gets its error', async () => {
    const accountId = await account(1_000_000n);
    const holds = createHoldBatcher(database.pool);
    const settled = await Promise.allSettled([
      holds.add(job(accountId)),
      holds.add(job(accountId, 10_000n, 1, { responseFormat: 'gif' as 'url' })),
      holds.add(job(accountId)),
    ]);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[1]).toMatchObject({ reason: { code: '23514' } });
    expect(await heldOf(accountId)).toBe(30_000n);
    expect(await jobCount(accountId)).toBe(2);
  });

  it('refuses, and does not record twice, a job of a failed batch that is already recorded', async () => {
    const accountId = await account(1_000_000n);
    const entry = job(accountId);
    await insertJobsWithHolds(database.pool, [entry]);
    const holds = createHoldBatcher(database.pool);
    const settled = await Promise.allSettled([holds.add(entry), holds.add(job(accountId))]);
    expect(settled.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    expect(settled[0]).toMatchObject({ reason: { code: '23505' } });
    expect(await heldOf(accountId)).toBe(30_000n);
    expect(await jobCount(accountId)).toBe(2);
  });

  it('answers every request of a batch with its error when Postgres cannot be reached', async () => {
    const unreachable = createPool('postgres://postgres@127.0.0.1:1/none');
    try {
      const holds = createHoldBatcher(unreachable);
      const accountId = await account(1_000_000n);
      const settled = await Promise.allSettled([holds.add(job(accountId)), holds.add(job(accountId))]);
      expect(settled.map((result) => result.status)).toEqual(['rejected', 'rejected']);
      expect(await jobCount(accountId)).toBe(0);
    } finally {
      await unreachable.end();
    }
  });
});
