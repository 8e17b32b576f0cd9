import { createFundedAccount, heldMicrosOf, jobToHold as job, jobCountOf, useTestDatabase } from '@imagegate/testing';
import { describe, expect, it } from 'vitest';
import type { BatchedHoldOutcome } from './job-submission.ts';
import { insertJobsWithHolds } from './job-submission.ts';
import { findJob } from './jobs.ts';

const database = useTestDatabase({ checkMoneyAfterEach: true });

const account = (starterMicros: bigint) => createFundedAccount(database.pool, starterMicros);
const heldOf = (accountId: string) => heldMicrosOf(database.pool, accountId);
const jobCount = (accountId: string) => jobCountOf(database.pool, accountId);

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

  it('hands back each held job exactly as a later read of its row finds it', async () => {
    const accountId = await account(1_000_000n);
    const batch = [
      job(accountId, 10_000n, 2, {
        metadata: { customer: 'c-1' },
        webhookUrl: 'https://hooks.example.com/imagegate',
        prices: {
          'gpt-image-2.6-flare': { rule: 'per_image', tiers: [{ maxPixels: 1_048_576, micros: { low: '11000' } }] },
        },
      }),
      job(accountId),
    ];
    const outcomes = await insertJobsWithHolds(database.pool, batch);
    for (const outcome of outcomes) {
      if (!outcome.held) throw new Error('the job should be held');
      expect(outcome.job).toStrictEqual(await findJob(database.pool, outcome.job.id));
    }
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
