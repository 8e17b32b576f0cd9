import { debitEntriesOf, findMoneyViolations, waitForSettlements } from '@imagegate/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { catalogFileWithPrice } from '../support/catalog-file.ts';
import { callJson, type ErrorEnvelope, pollJob } from '../support/http.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
const micros = (usd: number) => BigInt(Math.round(usd * 1_000_000));

// gpt-image-2.6-flare at $0.01 / $0.02 / $0.04 per image: with the 1.5x starter markup, 0.015 / 0.03 / 0.06.
const cheap = { low: 0.01, medium: 0.02, high: 0.04 };

beforeAll(async () => {
  stack = await startTestStack({
    env: { CATALOG_FILE: catalogFileWithPrice('gpt-image-2.6-flare', cheap), UPSTREAM_TIMEOUT_MS: '1000' },
  });
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(async () => {
  await waitForSettlements(stack.database.pool);
  expect(await findMoneyViolations(stack.database.pool)).toEqual([]);
});

async function account(name: string, starterCreditUsd: number) {
  return stack.createAccount(name, starterCreditUsd);
}

async function balanceOf(accountId: string) {
  const { rows } = await stack.database.pool.query<{ balance_micros: bigint; held_micros: bigint }>(
    'select balance_micros, held_micros from accounts where id = $1',
    [accountId],
  );
  return rows[0];
}

function generate(apiKey: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return callJson<Record<string, unknown> & ErrorEnvelope>(`${stack.url}/v1/images/generations`, {
    apiKey,
    body: { model: 'gpt-image-2.6-flare', quality: 'low', size: '1024x1024', response_format: 'url', ...body },
    headers,
  });
}

describe('holds under concurrency', () => {
  it('accepts exactly as many jobs as the balance covers out of 50 concurrent requests', async () => {
    const caller = await account('exactly-ten', 0.15); // 10 images at $0.015
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        generate(caller.apiKey, { prompt: `race ${index}` }, { prefer: 'respond-async' }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(10);
    expect(statuses.filter((status) => status === 402)).toHaveLength(40);
    const refused = responses.find((response) => response.status === 402);
    expect(refused?.body.error).toMatchObject({ type: 'insufficient_balance', code: 'insufficient_balance' });
    await waitForSettlements(stack.database.pool);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: 0n, held_micros: 0n });
  });
});

describe('settlement', () => {
  it('debits the frozen price on success and reports it in extra.billing and on the job', async () => {
    const caller = await account('billing', 1);
    const response = await generate(caller.apiKey, { prompt: 'one', quality: 'medium' });
    expect(response.status).toBe(200);
    const extra = response.body.extra as { job_id: string; billing: Record<string, number> };
    expect(extra.billing).toMatchObject({ charged_usd: 0.03, unit_price_usd: 0.03, markup: 1.5 });
    await waitForSettlements(stack.database.pool);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(0.97), held_micros: 0n });
    const job = await pollJob(stack.url, caller.apiKey, extra.job_id);
    expect(job.billing).toEqual({
      held_usd: 0.03,
      charged_usd: 0.03,
      refunded_usd: 0,
      unit_price_usd: 0.03,
      markup: 1.5,
      // This catalog prices the model per image, so its upstream cost is that list price.
      upstream_cost_usd: 0.02,
    });
  });

  it('holds the dearest quality for quality auto and debits the quality delivered', async () => {
    const caller = await account('auto-quality', 1);
    const accepted = await generate(caller.apiKey, { prompt: 'auto', quality: 'auto' }, { prefer: 'respond-async' });
    expect(accepted.body.billing).toMatchObject({ held_usd: 0.06 });
    await pollJob(stack.url, caller.apiKey, String(accepted.body.id));
    await waitForSettlements(stack.database.pool);
    // The emulator resolves auto to medium.
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(0.97), held_micros: 0n });
  });

  it('charges only the images delivered when the upstream returns fewer than n', async () => {
    const caller = await account('partial', 1);
    const response = await generate(caller.apiKey, { prompt: 'four please [emulate:partial=3]', n: 4 });
    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(3);
    await waitForSettlements(stack.database.pool);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(1 - 3 * 0.015), held_micros: 0n });
    const ledger = await callJson<{ data: { type: string; amount_usd: number; held_usd: number }[] }>(
      `${stack.url}/v1/account/ledger`,
      {
        apiKey: caller.apiKey,
      },
    );
    expect(ledger.body.data.map((entry) => [entry.type, entry.amount_usd, entry.held_usd])).toEqual([
      ['release', 0, -0.015],
      ['debit', -0.045, -0.045],
      ['hold', 0, 0.06],
      ['grant', 1, 0],
    ]);
  });

  it.each([
    ['an upstream failure after retries', { prompt: 'broken [emulate:500]' }, {}],
    ['a moderation refusal', { prompt: 'refused [emulate:moderation]' }, {}],
    ['an upstream timeout', { prompt: 'stuck [emulate:hang]' }, {}],
  ])('charges nothing for %s and releases the hold', async (_name, body, headers) => {
    const caller = await account('failures', 1);
    const response = await generate(caller.apiKey, body, headers);
    expect(response.status).toBeGreaterThanOrEqual(400);
    await waitForSettlements(stack.database.pool);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(1), held_micros: 0n });
  });

  it('charges nothing for a canceled job and releases the hold', async () => {
    const caller = await account('cancel', 1);
    const accepted = await generate(
      caller.apiKey,
      { prompt: 'cancel me [emulate:latency=3000]' },
      { prefer: 'respond-async' },
    );
    expect((await balanceOf(caller.accountId))?.held_micros).toBe(micros(0.015));
    await callJson(`${stack.url}/v1/images/jobs/${accepted.body.id}/cancel`, { apiKey: caller.apiKey, method: 'POST' });
    expect((await pollJob(stack.url, caller.apiKey, String(accepted.body.id))).status).toBe('canceled');
    await waitForSettlements(stack.database.pool);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(1), held_micros: 0n });
  });

  it('settles each job once however often settlement runs, even concurrently', async () => {
    const caller = await account('twice', 1);
    const response = await generate(caller.apiKey, { prompt: 'settle twice' });
    const jobId = (response.body.extra as { job_id: string }).job_id;
    await waitForSettlements(stack.database.pool);
    const { settleJob } = await import('@imagegate/settlement-worker');
    const again = await Promise.all([settleJob(stack.database.pool, jobId), settleJob(stack.database.pool, jobId)]);
    expect(again).toEqual([{ settled: false }, { settled: false }]);
    expect(await debitEntriesOf(stack.database.pool, jobId)).toBe(1);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(0.985), held_micros: 0n });
  });
});

describe('account reads', () => {
  it('shows balance, held, available, markup, spend and the next tier', async () => {
    const caller = await account('reads', 2);
    await generate(caller.apiKey, { prompt: 'spend a little', quality: 'high' });
    await waitForSettlements(stack.database.pool);
    const response = await callJson(`${stack.url}/v1/account`, { apiKey: caller.apiKey });
    expect(response.body).toMatchObject({
      id: caller.accountId,
      balance_usd: 1.94,
      held_usd: 0,
      available_usd: 1.94,
      markup: 1.5,
      spend_90d_usd: 0.06,
      next_tier: { at_spend_usd: 10, markup: 1.4 },
    });
  });
});

describe('Idempotency-Key', () => {
  it('returns the same job for the same key and body, holding once, and 409 for another body', async () => {
    const caller = await account('idempotent', 1);
    const headers = { 'idempotency-key': 'order-7', prefer: 'respond-async' };
    const [first, second] = await Promise.all([
      generate(caller.apiKey, { prompt: 'same' }, headers),
      generate(caller.apiKey, { prompt: 'same' }, headers),
    ]);
    // Replayed while it runs, the job (202); after it ended, its result (200), naming the job. The
    // concurrent twin can land either side of a fast job's end.
    const jobIdOf = (body: unknown) => {
      const answer = body as { id?: string; extra?: { job_id?: string } };
      return answer.id ?? answer.extra?.job_id;
    };
    const jobId = jobIdOf(first.body);
    expect(jobId).toMatch(/^job_/);
    expect(jobIdOf(second.body)).toBe(jobId);
    const third = await generate(caller.apiKey, { prompt: 'same' }, headers);
    expect(jobIdOf(third.body)).toBe(jobId);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    const conflict = await generate(caller.apiKey, { prompt: 'different' }, headers);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({ type: 'invalid_request_error', code: 'idempotency_conflict' });
    await waitForSettlements(stack.database.pool);
    const { rows } = await stack.database.pool.query<{ n: number }>(
      "select count(*)::int as n from ledger_entries where account_id = $1 and type = 'hold'",
      [caller.accountId],
    );
    expect(rows[0]?.n).toBe(1);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(0.985), held_micros: 0n });
  });

  it('credits a top-up once for a repeated admin Idempotency-Key', async () => {
    const caller = await account('topup', 0);
    const credit = () =>
      fetch(`${stack.url}/admin/v1/accounts/${caller.accountId}/credits`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.adminToken}`,
          'content-type': 'application/json',
          'idempotency-key': 'invoice-1',
        },
        body: JSON.stringify({ amount_usd: 5, reason: 'invoice 1' }),
      });
    expect((await credit()).status).toBe(201);
    expect((await credit()).status).toBe(200);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(5), held_micros: 0n });
  });

  it('refuses a reused admin Idempotency-Key with another amount or reason: 409, nothing credited', async () => {
    const caller = await account('topup-conflict', 0);
    const credit = (body: { amount_usd: number; reason: string }) =>
      callJson<ErrorEnvelope>(`${stack.url}/admin/v1/accounts/${caller.accountId}/credits`, {
        body,
        headers: { authorization: `Bearer ${stack.adminToken}`, 'idempotency-key': 'invoice-2' },
      });
    expect((await credit({ amount_usd: 5, reason: 'invoice 2' })).status).toBe(201);
    for (const changed of [
      { amount_usd: 500, reason: 'invoice 2' },
      { amount_usd: 5, reason: 'invoice 3' },
      { amount_usd: -5, reason: 'invoice 2' },
    ]) {
      const conflict = await credit(changed);
      expect(conflict.status).toBe(409);
      expect(conflict.body.error).toMatchObject({ type: 'invalid_request_error', code: 'idempotency_conflict' });
    }
    expect((await credit({ amount_usd: 5, reason: ' invoice 2 ' })).status).toBe(200);
    expect(await balanceOf(caller.accountId)).toEqual({ balance_micros: micros(5), held_micros: 0n });
  });
});
