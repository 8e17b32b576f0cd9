import { createPool, insertJobsWithHolds } from '@imagegate/db';
import { createFundedAccount, heldMicrosOf, jobToHold as job, jobCountOf, useTestDatabase } from '@imagegate/testing';
import { describe, expect, it } from 'vitest';
import { createHoldBatcher } from './hold-batcher.ts';

const database = useTestDatabase({ checkMoneyAfterEach: true });

const account = (starterMicros: bigint) => createFundedAccount(database.pool, starterMicros);
const heldOf = (accountId: string) => heldMicrosOf(database.pool, accountId);
const jobCount = (accountId: string) => jobCountOf(database.pool, accountId);

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
