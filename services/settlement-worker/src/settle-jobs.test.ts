import {
  expectedCharge,
  expectSettledExactly,
  findMoneyViolations,
  GRANT,
  PER_IMAGE,
  type SeededJob,
  seedAccounts,
  seedJobs,
  settlementTotals,
  succeededJobs,
  sum,
  useTestDatabase,
} from '@imagegate/testing';
import { describe, expect, it } from 'vitest';
import { settleJobs } from './settle-jobs.ts';

const database = useTestDatabase({ emptyBeforeEach: true });

// Settlement of batches against a real Postgres: exactness, first writer wins, lock ordering.

async function ledgerOf(jobId: string): Promise<{ type: string; amount_micros: bigint; held_micros: bigint }[]> {
  const { rows } = await database.pool.query<{ type: string; amount_micros: bigint; held_micros: bigint }>(
    `select type, amount_micros, held_micros from ledger_entries where job_id = $1 and type <> 'hold' order by type`,
    [jobId],
  );
  return rows;
}

function settledCount(results: readonly PromiseSettledResult<{ settled: boolean }>[]): number {
  return results.filter((result) => result.status === 'fulfilled' && result.value.settled).length;
}

describe('settleJobs', () => {
  it("settles the rest of a batch when one job's stored prices do not parse, failing that job alone", async () => {
    const [account = ''] = await seedAccounts(database.pool, 1);
    const jobs: SeededJob[] = [
      { id: 'job_good', accountId: account, status: 'succeeded', asked: 1, delivered: 1 },
      { id: 'job_unreadable', accountId: account, status: 'succeeded', asked: 1, delivered: 1 },
    ];
    await seedJobs(database.pool, jobs);
    // What a newer writer's price rule looks like to this version: not a rule it knows.
    await database.pool.query(`update jobs set prices = '{"m": {"rule": "per_wish"}}' where id = 'job_unreadable'`);

    const [good, unreadable] = await settleJobs(database.pool, ['job_good', 'job_unreadable']);

    expect(good).toMatchObject({
      status: 'fulfilled',
      value: { settled: true, chargedMicros: PER_IMAGE, releasedMicros: 0n },
    });
    expect(unreadable?.status).toBe('rejected');
    expect(await ledgerOf('job_unreadable')).toEqual([]);
  });

  it('tells of each job whose upstream cost more than it was charged, once, after it is settled', async () => {
    const [owner = ''] = await seedAccounts(database.pool, 1);
    await seedJobs(database.pool, [
      { id: 'job_fine', accountId: owner, status: 'succeeded', asked: 1, delivered: 1 },
      { id: 'job_loss', accountId: owner, status: 'succeeded', asked: 1, delivered: 1 },
    ]);
    // Frozen at one token per image while the upstream reports OpenAI's 7,024 (1024² high).
    const underpriced = {
      m: {
        rule: 'per_token',
        rates: { textInput: 5, imageInput: 8, imageOutput: 30 },
        output: { formula: 'openai-tiles', qualityFactors: { low: 1 } },
        inputMicros: '0',
      },
    };
    await database.pool.query(
      `update jobs set prices = $2, result = result || '{"usage": {"input_tokens": 10, "output_tokens": 7024}}'
         where id = $1`,
      ['job_loss', JSON.stringify(underpriced)],
    );
    const losses: { jobId: string; chargedMicros: bigint; upstreamCostMicros: bigint }[] = [];
    const onLoss = (loss: (typeof losses)[number]) => losses.push(loss);

    await settleJobs(database.pool, ['job_fine', 'job_loss'], {}, onLoss);
    await settleJobs(database.pool, ['job_loss'], {}, onLoss);

    // 1 token at $30/M, × 1.5; against 10 text tokens at $5/M + 7,024 image tokens at $30/M.
    expect(losses).toEqual([{ jobId: 'job_loss', chargedMicros: 45n, upstreamCostMicros: 50n + 210_720n }]);
  });

  it('debits each succeeded job its charge and releases the rest when a batch mixes outcomes', async () => {
    const [first = '', second = ''] = await seedAccounts(database.pool, 2);
    const jobs: SeededJob[] = [
      { id: 'job_full', accountId: first, status: 'succeeded', asked: 2, delivered: 2 },
      { id: 'job_partial', accountId: first, status: 'succeeded', asked: 4, delivered: 1 },
      { id: 'job_failed', accountId: first, status: 'failed', asked: 3, delivered: 0 },
      { id: 'job_canceled', accountId: second, status: 'canceled', asked: 1, delivered: 0 },
      { id: 'job_other', accountId: second, status: 'succeeded', asked: 1, delivered: 1 },
    ];
    await seedJobs(database.pool, jobs);

    const results = await settleJobs(
      database.pool,
      jobs.map((job) => job.id),
    );

    expect(results).toMatchObject([
      { status: 'fulfilled', value: { settled: true, chargedMicros: 30_000n, releasedMicros: 0n } },
      { status: 'fulfilled', value: { settled: true, chargedMicros: 15_000n, releasedMicros: 45_000n } },
      { status: 'fulfilled', value: { settled: true, chargedMicros: 0n, releasedMicros: 45_000n } },
      { status: 'fulfilled', value: { settled: true, chargedMicros: 0n, releasedMicros: 15_000n } },
      { status: 'fulfilled', value: { settled: true, chargedMicros: 15_000n, releasedMicros: 0n } },
    ]);
    // How each job ended, for the metrics (succeeded, the failure's code, canceled).
    const outcomes = results.map((result) =>
      result.status === 'fulfilled' && result.value.settled ? result.value.ending.outcome : undefined,
    );
    expect([outcomes[0], outcomes[3], outcomes[4]]).toEqual(['succeeded', 'canceled', 'succeeded']);
    expect(outcomes[2]).not.toBe('failed');
    expect(await ledgerOf('job_full')).toEqual([{ type: 'debit', amount_micros: -30_000n, held_micros: -30_000n }]);
    expect(await ledgerOf('job_partial')).toEqual([
      { type: 'debit', amount_micros: -15_000n, held_micros: -15_000n },
      { type: 'release', amount_micros: 0n, held_micros: -45_000n },
    ]);
    expect(await ledgerOf('job_failed')).toEqual([{ type: 'release', amount_micros: 0n, held_micros: -45_000n }]);
    const { rows } = await database.pool.query('select id, balance_micros, held_micros from accounts order by id');
    expect(rows).toEqual([
      { id: first, balance_micros: GRANT - 45_000n, held_micros: 0n },
      { id: second, balance_micros: GRANT - 15_000n, held_micros: 0n },
    ]);
    const spend = await database.pool.query('select account_id, micros from account_daily_spend order by account_id');
    expect(spend.rows).toEqual([
      { account_id: first, micros: 45_000n },
      { account_id: second, micros: 15_000n },
    ]);
    expect(await findMoneyViolations(database.pool)).toEqual([]);
  });

  it('settles a job listed twice in one batch once, and reports the copy as not settled', async () => {
    const accounts = await seedAccounts(database.pool, 1);
    const jobs = succeededJobs(2, accounts);
    await seedJobs(database.pool, jobs);
    const [a = '', b = ''] = jobs.map((job) => job.id);

    const results = await settleJobs(database.pool, [a, b, a]);

    expect(results.map((result) => result.status === 'fulfilled' && result.value.settled)).toEqual([true, true, false]);
    expect(await settlementTotals(database.pool)).toMatchObject({
      debits: sum(jobs.map(expectedCharge)),
      debitEntries: 2,
      held: 0n,
    });
    expect(await findMoneyViolations(database.pool)).toEqual([]);
  });

  it('changes nothing when a batch is settled again', async () => {
    const accounts = await seedAccounts(database.pool, 3);
    const jobs = succeededJobs(30, accounts);
    await seedJobs(database.pool, jobs);
    const ids = jobs.map((job) => job.id);
    await settleJobs(database.pool, ids);
    const before = await settlementTotals(database.pool);

    const again = await settleJobs(database.pool, [...ids].reverse());

    expect(settledCount(again)).toBe(0);
    expect(await settlementTotals(database.pool)).toEqual(before);
    expect(before.debits).toBe(sum(jobs.map(expectedCharge)));
  });

  it('leaves a job that has not finished untouched', async () => {
    const [account = ''] = await seedAccounts(database.pool, 1);
    await seedJobs(database.pool, [
      { id: 'job_running', accountId: account, status: 'in_progress', asked: 2, delivered: 0 },
    ]);

    expect(await settleJobs(database.pool, ['job_running', 'job_unknown'])).toEqual([
      { status: 'fulfilled', value: { settled: false } },
      { status: 'fulfilled', value: { settled: false } },
    ]);
    expect(await settlementTotals(database.pool)).toMatchObject({ debitEntries: 0, held: 30_000n });
  });

  it('settles a hot account exactly when many batches for it run at once', async () => {
    const accounts = await seedAccounts(database.pool, 1);
    const jobs = succeededJobs(600, accounts);
    await seedJobs(database.pool, jobs);
    const ids = jobs.map((job) => job.id);

    const batches = await Promise.all(
      Array.from({ length: 12 }, (_, index) => settleJobs(database.pool, ids.slice(index * 50, index * 50 + 50))),
    );

    expect(batches.map(settledCount)).toEqual(Array(12).fill(50));
    await expectSettledExactly(database.pool, jobs);
  });

  it('fails only the job whose settlement dies before the write, and settles it on the retry', async () => {
    const accounts = await seedAccounts(database.pool, 2);
    const jobs = succeededJobs(4, accounts);
    await seedJobs(database.pool, jobs);
    const ids = jobs.map((job) => job.id);
    const dying = ids[1];

    const results = await settleJobs(database.pool, ids, {
      beforeWrite: (jobId) => {
        if (jobId === dying) throw new Error('crash before the write');
      },
    });

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await settlementTotals(database.pool)).toMatchObject({ debitEntries: 3 });
    expect(settledCount(await settleJobs(database.pool, ids))).toBe(1);
    expect(await settlementTotals(database.pool)).toMatchObject({
      debits: sum(jobs.map(expectedCharge)),
      debitEntries: 4,
      held: 0n,
    });
  });

  it('settles the rest of the batch when one job cannot be priced', async () => {
    const accounts = await seedAccounts(database.pool, 2);
    const jobs = succeededJobs(3, accounts);
    await seedJobs(database.pool, jobs);
    const ids = jobs.map((job) => job.id);
    await database.pool.query(
      `update jobs set prices = '{"m": {"tiers": [{"maxPixels": 1, "micros": {}}]}}' where id = $1`,
      [ids[1]],
    );

    const results = await settleJobs(database.pool, ids);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await settlementTotals(database.pool)).toMatchObject({
      debitEntries: 2,
      held: PER_IMAGE * BigInt(jobs[1]?.asked ?? 0),
    });
  });

  it('settles the rest of the batch when the database refuses one job', async () => {
    const [healthy = '', broken = ''] = await seedAccounts(database.pool, 2);
    const jobs: SeededJob[] = [
      { id: 'job_a', accountId: healthy, status: 'succeeded', asked: 1, delivered: 1 },
      { id: 'job_b', accountId: broken, status: 'succeeded', asked: 1, delivered: 1 },
      { id: 'job_c', accountId: healthy, status: 'failed', asked: 2, delivered: 0 },
    ];
    await seedJobs(database.pool, jobs);
    // The broken account holds less than its job's hold, so settling that job would break
    // accounts_held_within_balance (held ≥ 0): the batch statement fails as a whole.
    await database.pool.query('update accounts set held_micros = 0 where id = $1', [broken]);

    const results = await settleJobs(database.pool, ['job_a', 'job_b', 'job_c']);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const { rows } = await database.pool.query('select id from jobs where settled_at is not null order by id');
    expect(rows).toEqual([{ id: 'job_a' }, { id: 'job_c' }]);
  });

  it('does not charge again on the retry when settlement dies after the commit', async () => {
    const accounts = await seedAccounts(database.pool, 1);
    const jobs = succeededJobs(3, accounts);
    await seedJobs(database.pool, jobs);
    const ids = jobs.map((job) => job.id);

    const results = await settleJobs(database.pool, ids, {
      afterCommit: (jobId) => {
        if (jobId === ids[0]) throw new Error('crash after commit');
      },
    });
    const retried = await settleJobs(database.pool, ids);

    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(settledCount(retried)).toBe(0);
    expect(await settlementTotals(database.pool)).toMatchObject({
      debits: sum(jobs.map(expectedCharge)),
      debitEntries: 3,
      held: 0n,
    });
  });
});
