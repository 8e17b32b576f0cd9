import { createLogger } from '@imagegate/core';
import { createSettlementStream, type SettlementStream, settlementFields } from '@imagegate/queue';
import { type RunningSettlementWorker, startSettlementWorker } from '@imagegate/settlement-worker';
import {
  createTestDatabase,
  createTestRedis,
  expectedCharge,
  expectSettledExactly,
  type SeededJob,
  seedAccounts,
  seedJobs,
  settlementTotals,
  succeededJobs,
  sum,
  type TestDatabase,
  type TestRedis,
  waitForSettlements,
} from '@imagegate/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// The settlement worker as deployed: stream entries, one per job, read and settled in batches.
let database: TestDatabase;
let redis: TestRedis;
let running: RunningSettlementWorker;
let stream: SettlementStream;
beforeAll(async () => {
  database = await createTestDatabase();
  redis = await createTestRedis();
  running = await startSettlementWorker({
    pool: database.pool,
    redis: redis.redis,
    logger: createLogger({ level: 'silent' }),
    settings: {
      redisPrefix: redis.prefix,
      concurrency: 100,
      batchSize: 50,
      // Long enough that batches fill by size even on a loaded machine.
      batchWaitMs: 20,
      sweepIntervalMs: 3_600_000,
      sweepGraceSeconds: 0,
    },
  });
  stream = createSettlementStream({ connection: redis.redis, prefix: redis.prefix });
});
afterAll(async () => {
  await running?.close();
  await redis?.cleanup();
  await database?.drop();
});
beforeEach(async () => {
  await database.pool.query('truncate ledger_entries, account_daily_spend, jobs, api_keys, accounts cascade');
});

function enqueue(jobs: readonly SeededJob[]) {
  const pipeline = stream.redis.pipeline();
  for (const job of jobs) pipeline.xadd(stream.key, '*', ...settlementFields(job.id));
  return pipeline.exec();
}

async function settledSoFar(): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(
    'select count(*)::int as n from jobs where settled_at is not null',
  );
  return rows[0]?.n ?? 0;
}

describe('settlement worker', () => {
  it('settles queued jobs in batches, one commit for many jobs', async () => {
    const accounts = await seedAccounts(database.pool, 3);
    const jobs = succeededJobs(300, accounts);
    await seedJobs(database.pool, jobs);

    await enqueue(jobs);
    await waitForSettlements(database.pool);

    const expected = sum(jobs.map(expectedCharge));
    expect(await settlementTotals(database.pool)).toEqual({
      debits: expected,
      spend: expected,
      held: 0n,
      debitEntries: jobs.length,
    });
    // A ledger entry's created_at is its transaction's start, so distinct values count commits:
    // batches of up to 50 make far fewer than one per job.
    const { rows } = await database.pool.query<{ commits: number }>(
      `select count(distinct created_at)::int as commits from ledger_entries where type = 'debit'`,
    );
    expect(rows[0]?.commits).toBeLessThanOrEqual(30);
  });

  it('charges each job once when the sweep settles the jobs the queue is settling', async () => {
    const accounts = await seedAccounts(database.pool, 3);
    const jobs = succeededJobs(600, accounts);
    await seedJobs(database.pool, jobs);

    await enqueue(jobs);
    while ((await settledSoFar()) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const swept = await Promise.all([running.sweep(), running.sweep()]);
    await waitForSettlements(database.pool);

    await expectSettledExactly(database.pool, jobs);
    expect(swept[0] + swept[1]).toBeLessThan(jobs.length); // the queue settled some of them too
  });
});
