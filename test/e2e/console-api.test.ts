import { setTimeout as sleep } from 'node:timers/promises';
import { waitForSettlements } from '@imagegate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientPng, leftHalfMask } from '../support/edit-images.ts';
import { callJson, type ErrorEnvelope, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * What the web console reads beyond the job API: accounts and their keys, the providers' state,
 * daily spend, the job list by status, and quotes that equal what a job is then charged.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const adminJson = async <T>(path: string) => {
  const response = await stack.admin(path);
  return { status: response.status, body: (await response.json()) as T & ErrorEnvelope };
};

const userJson = <T>(account: TestAccount, path: string, body?: unknown, headers?: Record<string, string>) =>
  callJson<T & ErrorEnvelope>(`${stack.url}${path}`, { apiKey: account.apiKey, body, headers });

interface ProviderStatus {
  provider: string;
  queue: { waiting: number; active: number; delayed: number; oldest_waiting_age_s: number | null };
  limit: { requests_per_minute: number; concurrency: number; max_queued: number };
  calls_last_minute: number;
  paused_until: number | null;
  workers: { id: string; last_seen_at: number }[];
  recent_failures: { code: string; count: number }[];
}

const openaiStatus = async () => {
  const { status, body } = await adminJson<{ object: string; data: ProviderStatus[] }>('/admin/v1/providers');
  expect(status).toBe(200);
  const openai = body.data.find((each) => each.provider === 'openai');
  if (openai === undefined) throw new Error('no openai provider listed');
  return { all: body, openai };
};

// First in the file: the calls of the last minute are this test's alone.
describe('GET /admin/v1/providers', () => {
  it('shows each provider’s limits, workers, calls, a 429’s pause and the failed attempts', async () => {
    const before = await openaiStatus();
    const now = Math.floor(Date.now() / 1000);
    expect(before.all.object).toBe('list');
    expect(before.all.data.map((each) => each.provider)).toEqual(expect.arrayContaining(['openai', 'google', 'bfl']));
    expect(before.openai).toMatchObject({
      queue: { waiting: 0, active: 0, delayed: 0, oldest_waiting_age_s: null },
      // The stack's PROVIDER_LIMITS: 100000rpm/500, queue bound ten minutes of work.
      limit: { requests_per_minute: 100_000, concurrency: 500, max_queued: 1_000_000 },
      calls_last_minute: 0,
      paused_until: null,
      recent_failures: [],
    });
    // The stack's provider worker beats for every provider.
    expect(before.openai.workers).toHaveLength(1);
    expect(before.openai.workers[0]?.last_seen_at).toBeGreaterThanOrEqual(now - 30);

    const account = await stack.createAccount('providers', 5);
    stack.emulator.faults.enqueue({ type: 'rate_limit', retryAfterS: 4 });
    const accepted = await userJson<{ id: string }>(
      account,
      '/v1/images/generations',
      { model: 'gpt-image-2', prompt: 'meets a 429', quality: 'low' },
      { prefer: 'respond-async' },
    );
    expect(accepted.status).toBe(202);
    // Once the 429 is recorded on the job, the provider is paused for about 4 s.
    let paused: ProviderStatus | undefined;
    for (let tries = 0; tries < 40 && paused === undefined; tries++) {
      const { openai } = await openaiStatus();
      if (openai.paused_until !== null) paused = openai;
      else await sleep(100);
    }
    expect(paused?.paused_until).toBeGreaterThan(Math.floor(Date.now() / 1000));
    expect(paused?.paused_until).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 5);

    const job = (await pollJob(stack.url, account.apiKey, accepted.body.id, 30_000)) as {
      status: string;
      routing: { attempts: { status: string; error_code?: string | null }[] };
    };
    expect(job.status).toBe('succeeded');
    const limited = job.routing.attempts.filter((attempt) => attempt.status === 'rate_limited');
    expect(limited).toHaveLength(1);
    const after = await openaiStatus();
    // The limited call and the one that succeeded.
    expect(after.openai.calls_last_minute).toBe(2);
    expect(after.openai.paused_until).toBeNull();
    expect(after.openai.recent_failures).toEqual([{ code: limited[0]?.error_code, count: 1 }]);
  });

  it('is the admin’s alone', async () => {
    const account = await stack.createAccount('not admin', 1);
    const response = await userJson(account, '/admin/v1/providers');
    expect(response.status).toBe(401);
  });
});

interface AccountItem {
  id: string;
  object: string;
  name: string;
  balance_usd: number;
  held_usd: number;
  available_usd: number;
  created_at: number;
}
interface Page<T> {
  object: string;
  data: T[];
  has_more: boolean;
  last_id: string | null;
}

describe('GET /admin/v1/accounts', () => {
  it('searches by name (any case) or id, newest first, a page at a time, items as GET /accounts/:id', async () => {
    const made: TestAccount[] = [];
    for (const name of ['Console Alpha', 'console beta', 'CONSOLE gamma'])
      made.push(await stack.createAccount(name, 3));
    const other = await stack.createAccount('unrelated', 1);
    const newestFirst = made.map((account) => account.accountId).reverse();

    const all = await adminJson<Page<AccountItem>>('/admin/v1/accounts?q=cOnSoLe');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ object: 'list', has_more: false, last_id: newestFirst.at(-1) });
    expect(all.body.data.map((account) => account.id)).toEqual(newestFirst);
    const single = await adminJson<AccountItem>(`/admin/v1/accounts/${newestFirst[0]}`);
    expect(all.body.data[0]).toEqual(single.body);
    expect(single.body).toMatchObject({ name: 'CONSOLE gamma', balance_usd: 3, held_usd: 0, available_usd: 3 });

    const first = await adminJson<Page<AccountItem>>('/admin/v1/accounts?q=console&limit=2');
    expect(first.body.data.map((account) => account.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.body).toMatchObject({ has_more: true, last_id: newestFirst[1] });
    const second = await adminJson<Page<AccountItem>>(
      `/admin/v1/accounts?q=console&limit=2&after=${first.body.last_id}`,
    );
    expect(second.body.data.map((account) => account.id)).toEqual(newestFirst.slice(2));
    expect(second.body.has_more).toBe(false);

    // An exact id, and the start of one.
    const byId = await adminJson<Page<AccountItem>>(`/admin/v1/accounts?q=${other.accountId}`);
    expect(byId.body.data.map((account) => account.id)).toEqual([other.accountId]);
    const byPrefix = await adminJson<Page<AccountItem>>(`/admin/v1/accounts?q=${other.accountId.slice(0, -3)}`);
    expect(byPrefix.body.data.map((account) => account.id)).toContain(other.accountId);
    // Like-pattern characters are themselves, not wildcards.
    expect((await adminJson<Page<AccountItem>>('/admin/v1/accounts?q=%25')).body.data).toEqual([]);

    // Without q, every account, newest first.
    const everyone = await adminJson<Page<AccountItem>>('/admin/v1/accounts?limit=100');
    const ids = everyone.body.data.map((account) => account.id);
    expect(ids.slice(0, 4)).toEqual([other.accountId, ...newestFirst]);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['after=job_01jd0000000000000000000000', 'after'],
    ['q=a&q=b', 'q'],
  ])('refuses %s naming %s', async (query, param) => {
    const { status, body } = await adminJson(`/admin/v1/accounts?${query}`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param });
  });
});

describe('GET /admin/v1/accounts/:id/api_keys', () => {
  it('lists the keys with a hint, never the key, with the ids create and revoke use', async () => {
    const account = await stack.createAccount('keys', 1);
    const created = await stack.admin(`/admin/v1/accounts/${account.accountId}/api_keys`, { body: { name: 'ci' } });
    const second = (await created.json()) as { id: string; prefix: string; key: string };
    const revoked = await stack.admin(`/admin/v1/api_keys/${account.keyId}`, { method: 'DELETE' });
    const revokedAt = ((await revoked.json()) as { revoked_at: number }).revoked_at;

    const { status, body } = await adminJson<{
      object: string;
      data: { id: string; object: string; name: string; hint: string; created_at: number; revoked_at: number | null }[];
    }>(`/admin/v1/accounts/${account.accountId}/api_keys`);
    expect(status).toBe(200);
    expect(body.object).toBe('list');
    expect(body.data).toEqual([
      {
        id: second.id,
        object: 'api_key',
        account_id: account.accountId,
        name: 'ci',
        hint: `${second.prefix}…`,
        created_at: expect.any(Number),
        revoked_at: null,
      },
      {
        id: account.keyId,
        object: 'api_key',
        account_id: account.accountId,
        name: 'k',
        hint: `${account.apiKey.slice(0, second.prefix.length)}…`,
        created_at: expect.any(Number),
        revoked_at: revokedAt,
      },
    ]);
    expect(second.key.startsWith(second.prefix)).toBe(true);
    expect(JSON.stringify(body)).not.toContain(second.key);
    expect(JSON.stringify(body)).not.toContain(account.apiKey);
  });

  it('is a 404 for an account that does not exist', async () => {
    const { status, body } = await adminJson('/admin/v1/accounts/acct_01jd0000000000000000000000/api_keys');
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ param: 'id' });
  });
});

interface DailySpend {
  object: string;
  data: { date: string; spend_usd: number; jobs: number }[];
  total_usd: number;
}

describe('GET /v1/account/spend', () => {
  it('gives every day oldest first with the jobs charged, and adds up to spend_90d_usd', async () => {
    const account = await stack.createAccount('spender', 5);
    for (const prompt of ['one', 'two']) {
      const response = await userJson(account, '/v1/images/generations', {
        model: 'gpt-image-2',
        prompt,
        quality: 'low',
      });
      expect(response.status).toBe(200);
    }
    await waitForSettlements(stack.database.pool);
    // A day of spend three days ago, as settlement would have recorded it then.
    await stack.database.pool.query(
      `insert into account_daily_spend (account_id, day, micros) values ($1, current_date - 3, 1500000)`,
      [account.accountId],
    );
    const today = new Date().toISOString().slice(0, 10);
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);

    const { status, body } = await userJson<DailySpend>(account, '/v1/account/spend');
    expect(status).toBe(200);
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(90);
    expect(body.data.at(-1)?.date).toBe(today);
    expect(body.data.at(-4)).toEqual({ date: threeDaysAgo, spend_usd: 1.5, jobs: 0 });
    expect([...body.data].map((day) => day.date).sort()).toEqual(body.data.map((day) => day.date));
    expect(body.data.filter((day) => day.spend_usd === 0)).toHaveLength(88);
    const todays = body.data.at(-1);
    expect(todays?.jobs).toBe(2);
    const ledger = await userJson<{ data: { type: string; amount_usd: number }[] }>(account, '/v1/account/ledger');
    const debited = ledger.body.data
      .filter((entry) => entry.type === 'debit')
      .reduce((sum, e) => sum - e.amount_usd, 0);
    expect(todays?.spend_usd).toBeCloseTo(debited, 6);
    const summary = await userJson<{ spend_90d_usd: number }>(account, '/v1/account');
    expect(body.total_usd).toBe(summary.body.spend_90d_usd);

    const week = await userJson<DailySpend>(account, '/v1/account/spend?days=3');
    expect(week.body.data.map((day) => day.date)).toEqual(body.data.slice(-3).map((day) => day.date));
    expect(week.body.total_usd).toBe(todays?.spend_usd);
  });

  it.each(['days=0', 'days=91', 'days=x', 'days=1.5'])('refuses %s naming days', async (query) => {
    const account = await stack.createAccount('bad spend', 1);
    const { status, body } = await userJson(account, `/v1/account/spend?${query}`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'days' });
  });
});

describe('GET /v1/images/jobs?status=', () => {
  it('keeps the jobs of the statuses asked for', async () => {
    const account = await stack.createAccount('statuses', 5);
    const done = await userJson<{ extra: { job_id: string } }>(account, '/v1/images/generations', {
      model: 'gpt-image-2',
      prompt: 'done',
      quality: 'low',
    });
    const slow = await userJson<{ id: string }>(
      account,
      '/v1/images/generations',
      { model: 'gpt-image-2', prompt: 'slow [emulate:latency=3000]', quality: 'low' },
      { prefer: 'respond-async' },
    );
    await userJson(account, `/v1/images/jobs/${slow.body.id}/cancel`, {});
    expect((await pollJob(stack.url, account.apiKey, slow.body.id)).status).toBe('canceled');
    const ids = async (query: string) => {
      const { status, body } = await userJson<{ data: { id: string }[] }>(account, `/v1/images/jobs${query}`);
      expect(status).toBe(200);
      return body.data.map((job) => job.id);
    };
    expect(await ids('?status=succeeded')).toEqual([done.body.extra.job_id]);
    expect(await ids('?status=canceled')).toEqual([slow.body.id]);
    expect(await ids('?status=succeeded,canceled')).toEqual([slow.body.id, done.body.extra.job_id]);
    expect(await ids('?status=queued,in_progress')).toEqual([]);
    expect(await ids('?status=canceled,succeeded&limit=1')).toEqual([slow.body.id]);
  });

  it.each(['running', 'queued,running', '', 'succeeded,'])('refuses status=%s naming status', async (status) => {
    const account = await stack.createAccount('bad status', 1);
    const response = await userJson(account, `/v1/images/jobs?status=${status}`);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param: 'status' });
  });
});

interface Quote {
  object: string;
  model: string;
  n: number;
  per_image_usd: number;
  price_usd: number;
  hold_usd: number;
  markup: number;
  currency: string;
  warnings: string[];
}
interface Billing {
  held_usd: number;
  charged_usd: number;
}

describe('POST /v1/images/quote', () => {
  const EDGE = 1024;

  const jobsOf = async (accountId: string) => {
    const { rows } = await stack.database.pool.query<{ n: number; balance: bigint; held: bigint }>(
      `select (select count(*)::int from jobs where account_id = $1) as n, balance_micros as balance, held_micros as held
       from accounts where id = $1`,
      [accountId],
    );
    return rows[0];
  };

  it.each([
    [
      'gpt-image-2 (per token), n=2',
      { model: 'gpt-image-2', prompt: 'a quoted lighthouse', n: 2, size: '1024x1536', quality: 'medium' },
    ],
    ['flux-2-pro (per megapixel), n=2', { model: 'flux-2-pro', prompt: 'a quoted harbour', n: 2, size: '1024x1024' }],
  ])('%s: quotes, without side effects, what the generation is then held and charged', async (_name, request) => {
    const account = await stack.createAccount('quotes', 10);
    const before = await jobsOf(account.accountId);
    const quote = await userJson<Quote>(account, '/v1/images/quote', request);
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    expect(quote.body).toMatchObject({ object: 'quote', n: request.n ?? 1, markup: 1.5, currency: 'usd' });
    expect(quote.body.price_usd).toBeGreaterThan(0);
    expect(await jobsOf(account.accountId)).toEqual(before);

    const accepted = await userJson<{ id: string; billing: Billing }>(account, '/v1/images/generations', request, {
      prefer: 'respond-async',
    });
    const job = (await pollJob(stack.url, account.apiKey, accepted.body.id, 30_000)) as {
      status: string;
      billing: Billing;
    };
    expect(job.status).toBe('succeeded');
    expect(accepted.body.billing.held_usd).toBe(quote.body.hold_usd);
    expect(job.billing.charged_usd).toBe(quote.body.price_usd);
    expect(quote.body.per_image_usd * quote.body.n).toBeCloseTo(quote.body.price_usd, 6);
  });

  it('quotes an edit with a mask exactly as the edit is then charged (n=2)', async () => {
    const account = await stack.createAccount('edit quotes', 10);
    const fields = { model: 'gpt-image-2', prompt: 'a red door', n: 2, size: '1024x1024', quality: 'low' };
    const quote = await userJson<Quote>(account, '/v1/images/quote', {
      ...fields,
      operation: 'edit',
      input_images: [{ width: EDGE, height: EDGE }],
      mask: true,
    });
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    const generation = await userJson<Quote>(account, '/v1/images/quote', fields);
    // The input image and the mask are billed as image input tokens.
    expect(quote.body.price_usd).toBeGreaterThan(generation.body.price_usd);

    const form = new FormData();
    const [image, mask] = await Promise.all([gradientPng(EDGE, EDGE), leftHalfMask(EDGE, EDGE)]);
    form.append('image[]', new Blob([image], { type: 'image/png' }), 'image.png');
    form.append('mask', new Blob([mask], { type: 'image/png' }), 'mask.png');
    for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
    const response = await fetch(`${stack.baseURL}/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.apiKey}` },
      body: form,
    });
    const edited = (await response.json()) as { extra: { job_id: string } };
    expect(response.status, JSON.stringify(edited)).toBe(200);
    const job = (await pollJob(stack.url, account.apiKey, edited.extra.job_id)) as { billing: Billing };
    expect(job.billing.held_usd).toBe(quote.body.hold_usd);
    expect(job.billing.charged_usd).toBe(quote.body.price_usd);
  });

  it('holds for the dearest model of the route and warns when the model chooses the quality', async () => {
    const account = await stack.createAccount('route quotes', 10);
    const quote = await userJson<Quote>(account, '/v1/images/quote', {
      model: 'flux-2-pro',
      prompt: 'cheap first',
      size: '1024x1024',
      fallbacks: ['flux-2-max'],
    });
    // One megapixel: $0.03 on flux-2-pro, $0.07 on flux-2-max, at the 1.5x starter markup.
    expect(quote.body).toMatchObject({ model: 'flux-2-pro', price_usd: 0.045, hold_usd: 0.105 });
    // OpenAI bills partial images as output tokens.
    const request = { model: 'gpt-image-2', prompt: 'streamed', size: '1024x1024', quality: 'low' };
    const [plain, streamed] = await Promise.all([
      userJson<Quote>(account, '/v1/images/quote', request),
      userJson<Quote>(account, '/v1/images/quote', { ...request, stream: true, partial_images: 2 }),
    ]);
    expect(streamed.body.price_usd).toBeGreaterThan(plain.body.price_usd);
    const auto = await userJson<Quote>(account, '/v1/images/quote', { model: 'gpt-image-2', quality: 'auto' });
    expect(auto.body.warnings.join(' ')).toMatch(/model chooses/);
    expect(auto.body.warnings.join(' ')).toMatch(/No prompt/);
  });

  it.each([
    ['an unknown model', { model: 'no-such-model', prompt: 'x' }],
    [
      'a transparent background the model cannot make',
      { model: 'gpt-image-2', prompt: 'x', background: 'transparent' },
    ],
    ['a quality the model does not have', { model: 'flux-2-pro', prompt: 'x', quality: 'high' }],
    ['too many images', { model: 'gpt-image-2', prompt: 'x', n: 11 }],
    ['an unknown field', { model: 'gpt-image-2', prompt: 'x', colour: 'red' }],
    ['a model that only edits', { model: 'flux-pro-1.0-fill', prompt: 'x' }],
  ])('refuses %s as the generation endpoint does', async (_name, request) => {
    const account = await stack.createAccount('bad quotes', 1);
    const [quote, generation] = await Promise.all([
      userJson(account, '/v1/images/quote', request),
      userJson(account, '/v1/images/generations', request),
    ]);
    expect(quote.status).toBeGreaterThanOrEqual(400);
    expect(quote.status).toBe(generation.status);
    expect(quote.body).toEqual(generation.body);
  });

  it('refuses an unknown model on model, and edit fields without operation edit', async () => {
    const account = await stack.createAccount('bad quotes', 1);
    const unknown = await userJson(account, '/v1/images/quote', { model: 'no-such-model' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ param: 'model', code: 'model_not_found' });
    const stray = await userJson(account, '/v1/images/quote', {
      model: 'gpt-image-2',
      input_images: [{ width: 1024, height: 1024 }],
    });
    expect(stray.body.error).toMatchObject({ param: 'input_images' });
    const noImages = await userJson(account, '/v1/images/quote', { model: 'gpt-image-2', operation: 'edit' });
    expect(noImages.body.error).toMatchObject({ param: 'input_images' });
    const maskless = await userJson(account, '/v1/images/quote', {
      model: 'flux-2-pro',
      operation: 'edit',
      input_images: [{ width: 1024, height: 1024 }],
      mask: true,
    });
    expect(maskless.status).toBe(400);
    expect(maskless.body.error).toMatchObject({ param: 'mask' });
  });
});
