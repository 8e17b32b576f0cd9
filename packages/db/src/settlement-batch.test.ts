import {
  expectedCharge,
  expectSettledExactly,
  seedAccounts,
  seedJobs,
  succeededJobs,
  sum,
  useTestDatabase,
} from '@imagegate/testing';
import { describe, expect, it } from 'vitest';
import { applySettlements } from './settlement-batch.ts';

const database = useTestDatabase({ emptyBeforeEach: true });

// Settlement of batches against a real Postgres: exactness, first writer wins, lock ordering.

describe('applySettlements', () => {
  it('neither deadlocks nor double-charges when concurrent batches overlap in jobs and accounts', async () => {
    const accounts = await seedAccounts(database.pool, 7);
    const jobs = succeededJobs(3_000, accounts);
    await seedJobs(database.pool, jobs);
    const settlements = jobs.map((job) => ({
      jobId: job.id,
      chargedMicros: expectedCharge(job),
      debitEntryId: `led_debit_${job.id}`,
      releaseEntryId: `led_release_${job.id}`,
    }));
    // Overlapping windows, every other one reversed, written straight to the statement (no read
    // in between to stagger them), so the batches meet the same jobs and accounts in opposite orders
    // at the same time: locking in the order given would deadlock here.
    const windows = Array.from({ length: 6 }, (_, index) => {
      const window = settlements.slice(index * 100, index * 100 + 2_500);
      return index % 2 === 0 ? window : window.reverse();
    });

    const settled = await Promise.all(windows.map((window) => applySettlements(database.pool, window)));

    expect(sum(settled.map((ids) => BigInt(ids.size)))).toBe(BigInt(jobs.length));
    await expectSettledExactly(database.pool, jobs);
  });
});
