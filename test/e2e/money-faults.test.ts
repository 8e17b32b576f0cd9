import { createLogger } from '@imagegate/core';
import { settlementStreamKey } from '@imagegate/queue';
import { startSettlementWorker } from '@imagegate/settlement-worker';
import { debitEntriesOf, findMoneyViolations, waitForSettlements } from '@imagegate/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { catalogFileWithPrice } from '../support/catalog-file.ts';
import { callJson, pollJob } from '../support/http.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

const micros = (usd: number) => BigInt(Math.round(usd * 1_000_000));
/** Job ids whose settlement should die once at this point (the test adds them). */
const crashAfterCommit = new Set<string>();
const crashBeforeWrite = new Set<string>();
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      // $4 an image: two images cross the $10 tier boundary.
      CATALOG_FILE: catalogFileWithPrice('gpt-image-2.6-flare', { low: 0.01, medium: 0.02, high: 4 }),
      SETTLEMENT_SWEEP_INTERVAL_MS: '3600000',
      SETTLEMENT_SWEEP_GRACE_S: '0',
    },
    settlementFaults: {
      beforeWrite: (jobId) => {
        if (crashBeforeWrite.delete(jobId)) throw new Error('crash before the settlement is written');
      },
      afterCommit: (jobId) => {
        if (crashAfterCommit.delete(jobId)) throw new Error('crash after commit, before acknowledgement');
      },
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(async () => {
  await waitForSettlements(stack.database.pool);
  expect(await findMoneyViolations(stack.database.pool)).toEqual([]);
});

async function balanceOf(accountId: string) {
  const { rows } = await stack.database.pool.query<{ balance_micros: bigint; held_micros: bigint }>(
    'select balance_micros, held_micros from accounts where id = $1',
    [accountId],
  );
  return rows[0];
}

function submit(apiKey: string, prompt: string, quality = 'low') {
  return callJson<{ id: string; billing: { markup: number } }>(`${stack.url}/v1/images/generations`, {
    apiKey,
    body: { model: 'gpt-image-2.6-flare', prompt, quality, size: '1024x1024' },
    headers: { prefer: 'respond-async' },
  });
}

describe('settlement crashes', () => {
  it.each([
    ['after the debit commits but before the stream entry is acknowledged', crashAfterCommit],
    ['before the settlement is written', crashBeforeWrite],
  ])('debits exactly once when settlement dies %s', async (_when, crashes) => {
    const caller = await stack.createAccount('crash', 1);
    const accepted = await submit(caller.apiKey, 'crash [emulate:latency=300]');
    crashes.add(accepted.body.id);
    await pollJob(stack.url, caller.apiKey, accepted.body.id);
    await waitForSettlements(stack.database.pool);
    expect(crashes.has(accepted.body.id)).toBe(false); // the crash really happened
    expect(await debitEntriesOf(stack.database.pool, accepted.body.id)).toBe(1);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(1 - 0.015), held_micros: 0n });
  });

  it('settles a finished job whose settlement Redis lost, through the sweep', async () => {
    const caller = await stack.createAccount('lost', 1);
    await stack.settlement.close(); // no settlement worker while the job runs
    const accepted = await submit(caller.apiKey, 'lost settlement');
    await pollJob(stack.url, caller.apiKey, accepted.body.id);
    await stack.redis.redis.del(settlementStreamKey(stack.redis.prefix)); // Redis loses the settlement entry
    expect((await balanceOf(caller.accountId))?.held_micros).toBe(micros(0.015));

    const sweeper = await startSettlementWorker({
      pool: stack.database.pool,
      redis: stack.redis.redis,
      logger: createLogger({ level: 'silent' }),
      settings: { redisPrefix: stack.redis.prefix, sweepIntervalMs: 3_600_000, sweepGraceSeconds: 0 },
    });
    stack.settlement = sweeper;
    expect(await sweeper.sweep()).toBe(1);
    expect(await debitEntriesOf(stack.database.pool, accepted.body.id)).toBe(1);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(1 - 0.015), held_micros: 0n });
  });
});

describe('frozen prices and tiers', () => {
  it('charges an in-flight job the price at submission after the catalog changes', async () => {
    const caller = await stack.createAccount('frozen', 10);
    const inFlight = await submit(caller.apiKey, 'slow [emulate:latency=1500]');
    await stack.restartIngress({
      CATALOG_FILE: catalogFileWithPrice('gpt-image-2.6-flare', { low: 0.1, medium: 0.2, high: 4 }),
    });
    const after = await submit(caller.apiKey, 'after the change');
    expect((await pollJob(stack.url, caller.apiKey, after.body.id)).status).toBe('succeeded');
    expect((await pollJob(stack.url, caller.apiKey, inFlight.body.id)).status).toBe('succeeded');
    await waitForSettlements(stack.database.pool);
    const { rows } = await stack.database.pool.query<{ id: string; charged_micros: bigint }>(
      'select id, charged_micros from jobs where id = any($1)',
      [[inFlight.body.id, after.body.id]],
    );
    const charged = Object.fromEntries(rows.map((row) => [row.id, row.charged_micros]));
    expect(charged[inFlight.body.id]).toBe(micros(0.015));
    expect(charged[after.body.id]).toBe(micros(0.15));
  });

  it('lowers the markup for the next job once 90-day spend crosses $10, not for one in flight', async () => {
    const caller = await stack.createAccount('tiers', 100);
    const first = await submit(caller.apiKey, 'first', 'high'); // $6 at 1.5x
    await pollJob(stack.url, caller.apiKey, first.body.id);
    await waitForSettlements(stack.database.pool);
    const inFlight = await submit(caller.apiKey, 'in flight [emulate:latency=1500]', 'high');
    const second = await submit(caller.apiKey, 'second', 'high'); // spend reaches $12
    await pollJob(stack.url, caller.apiKey, second.body.id);
    await waitForSettlements(stack.database.pool);
    const next = await submit(caller.apiKey, 'next', 'high');
    expect([
      first.body.billing.markup,
      inFlight.body.billing.markup,
      second.body.billing.markup,
      next.body.billing.markup,
    ]).toEqual([1.5, 1.5, 1.5, 1.4]);
    await pollJob(stack.url, caller.apiKey, next.body.id);
    await waitForSettlements(stack.database.pool);
    // 3 jobs at $6 (1.5x) and one at $5.60 (1.4x).
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(100 - 18 - 5.6), held_micros: 0n });
    const account = await callJson(`${stack.url}/v1/account`, { apiKey: caller.apiKey });
    expect(account.body).toMatchObject({
      markup: 1.4,
      spend_90d_usd: 23.6,
      next_tier: { at_spend_usd: 50, markup: 1.3 },
    });
  });
});
