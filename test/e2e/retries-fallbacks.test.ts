import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * Retries, deadlines and fallbacks, one row per failure class (issue 5's tables): what is retried,
 * what fails at once, which model serves and which one is billed. The upstream failures are the
 * emulators' scripted faults, consumed one per call.
 */
let stack: TestStack;
let account: TestAccount;

interface RoutingAttempt {
  provider: string;
  model: string;
  status: string;
  error_code?: string | null;
  upstream_code?: string;
}
interface Job {
  id: string;
  status: string;
  model: string;
  error: ErrorEnvelope['error'] | null;
  routing: { attempts: RoutingAttempt[] };
  billing: { held_usd: number; charged_usd: number; unit_price_usd: number };
  result: { extra: { warnings: string[]; routing: { attempts: RoutingAttempt[] } } } | null;
}

/** The catalog with gpt-image-2.6-flare's deadline cut to 2 s, so a hanging upstream times out quickly. */
function catalogWithShortDeadline(): string {
  const catalog = JSON.parse(readFileSync(new URL('../../packages/catalog/data/models.json', import.meta.url), 'utf8'));
  for (const model of catalog.models) if (model.id === 'gpt-image-2.6-flare') model.deadline = { seconds: 2 };
  const file = join(mkdtempSync(join(tmpdir(), 'imagegate-catalog-')), 'catalog.json');
  writeFileSync(file, JSON.stringify(catalog));
  return file;
}

beforeAll(async () => {
  stack = await startTestStack({ env: { CATALOG_FILE: catalogWithShortDeadline() } });
  account = await stack.createAccount('retries', 50);
});
afterAll(async () => {
  await stack?.stop();
});

async function submit(body: Record<string, unknown>): Promise<Job> {
  const response = await callJson<Job>(`${stack.baseURL}/images/generations`, {
    apiKey: account.apiKey,
    headers: { prefer: 'respond-async' },
    body,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return (await pollJob(stack.url, account.apiKey, response.body.id, 30_000)) as unknown as Job;
}

async function balance(): Promise<{ balance_usd: number; held_usd: number }> {
  return (
    await callJson<{ balance_usd: number; held_usd: number }>(`${stack.baseURL}/account`, { apiKey: account.apiKey })
  ).body;
}

/** Waits until nothing is held any more: every job so far is settled. */
async function settled(): Promise<{ balance_usd: number; held_usd: number }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const now = await balance();
    if (now.held_usd === 0 || Date.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('retries', () => {
  it.each([
    ['a 500', { type: 'error', status: 500 } as const],
    ['a 502', { type: 'error', status: 502 } as const],
    ['a 503', { type: 'error', status: 503 } as const],
  ])('%s, then 200: succeeds on attempt 2', async (_name, fault) => {
    stack.emulator.faults.enqueue(fault);
    const job = await submit({ model: 'gpt-image-2.6-flare', prompt: 'transient' });
    expect(job.status).toBe('succeeded');
    expect(job.routing.attempts.map((attempt) => attempt.status)).toEqual(['failed', 'succeeded']);
  });

  // Our upstream credentials or quota failing is the gateway's problem, not the caller's: 502.
  it.each([
    ['moderation', { type: 'moderation' } as const, 400, 'moderation_blocked'],
    ['401 bad credentials', { type: 'error', status: 401 } as const, 502, 'upstream_auth'],
    ['403 forbidden', { type: 'error', status: 403 } as const, 502, 'upstream_auth'],
    ['400 validation', { type: 'error', status: 400 } as const, 400, null],
    ['insufficient_quota', { type: 'insufficient_quota' } as const, 502, 'upstream_quota'],
  ])('%s: fails at once with %i, one call, nothing charged', async (_name, fault, status, code) => {
    const before = await settled();
    const calls = stack.emulator.stats().calls;
    stack.emulator.faults.enqueue(fault);
    const response = await callJson<ErrorEnvelope & { extra?: unknown }>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'doomed' },
    });
    expect(response.status).toBe(status);
    if (code !== null) expect(response.body.error.code).toBe(code);
    expect(stack.emulator.stats().calls - calls).toBe(1);
    const list = await callJson<{ data: Job[] }>(`${stack.baseURL}/images/jobs?limit=1`, { apiKey: account.apiKey });
    expect(list.body.data[0]?.status).toBe('failed');
    expect(list.body.data[0]?.routing.attempts).toHaveLength(1);
    expect((await settled()).balance_usd).toBe(before.balance_usd);
  });
});

describe('deadlines', () => {
  it('a job past its model deadline fails with 504 timeout and is not charged', async () => {
    const before = await settled();
    const started = Date.now();
    const response = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'never ends [emulate:hang]' },
    });
    expect(response.status).toBe(504);
    expect(response.body.error).toMatchObject({ type: 'timeout', code: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect((await settled()).balance_usd).toBe(before.balance_usd);
  });
});

describe('fallbacks', () => {
  it('primary down: the fallback serves, is named in routing, and is the one billed', async () => {
    stack.emulator.faults.enqueue(
      { type: 'error', status: 500 },
      { type: 'error', status: 500 },
      { type: 'error', status: 500 },
    );
    const before = await settled();
    const job = await submit({
      model: 'gpt-image-2',
      prompt: 'a fallback',
      fallbacks: ['flux-2-pro'],
    });
    expect(job.status).toBe('succeeded');
    expect(job.model).toBe('flux-2-pro');
    expect(job.routing.attempts.map((attempt) => `${attempt.model}:${attempt.status}`)).toEqual([
      'gpt-image-2:failed',
      'gpt-image-2:failed',
      'gpt-image-2:failed',
      'flux-2-pro:succeeded',
    ]);
    expect(job.result?.extra.warnings.join(' ')).toContain("Served by 'flux-2-pro'");
    // The hold covered the dearer of the two (gpt-image-2 at quality auto may be high); the
    // charge is the price of FLUX.2 pro, which served.
    const models = await callJson<{
      pricing: { tiers: { max_pixels: number; per_image_usd: Record<string, number> }[] };
    }>(`${stack.baseURL}/models/flux-2-pro`, { apiKey: account.apiKey });
    const tier = models.body.pricing.tiers.find((candidate) => candidate.max_pixels >= 1024 * 1024);
    const fluxUnit = tier?.per_image_usd.default ?? Number.NaN;
    expect(job.billing.charged_usd).toBeCloseTo(fluxUnit, 6);
    expect((await settled()).balance_usd).toBeCloseTo(before.balance_usd - fluxUnit, 6);
  });

  it('a sync request whose job fell back is answered with the fallback that served, not the model it asked for', async () => {
    stack.emulator.faults.enqueue(
      { type: 'error', status: 500 },
      { type: 'error', status: 500 },
      { type: 'error', status: 500 },
    );
    const response = await callJson<{ extra: { model: string; routing: { attempts: { model: string }[] } } }>(
      `${stack.baseURL}/images/generations`,
      { apiKey: account.apiKey, body: { model: 'gpt-image-2', prompt: 'a sync fallback', fallbacks: ['flux-2-pro'] } },
    );
    expect(response.status).toBe(200);
    expect(response.body.extra.model).toBe('flux-2-pro');
    expect(response.body.extra.routing.attempts.map((attempt) => attempt.model)).toEqual([
      'gpt-image-2',
      'gpt-image-2',
      'gpt-image-2',
      'flux-2-pro',
    ]);
  });

  it('all down: 502 naming every attempt, nothing billed', async () => {
    stack.emulator.faults.enqueue(
      { type: 'error', status: 500 },
      { type: 'error', status: 500 },
      { type: 'error', status: 500 },
    );
    stack.bfl.faults.enqueue(
      { type: 'error', status: 503 },
      { type: 'error', status: 503 },
      { type: 'error', status: 503 },
    );
    const before = await settled();
    const response = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2', prompt: 'nobody', extra: { fallbacks: ['flux-2-pro'] } },
    });
    expect(response.status).toBe(502);
    expect(response.body.error.code).toBe('all_models_failed');
    expect(response.body.error.message).toContain('gpt-image-2 (openai)');
    expect(response.body.error.message).toContain('flux-2-pro (bfl)');
    const list = await callJson<{ data: Job[] }>(`${stack.baseURL}/images/jobs?limit=1`, { apiKey: account.apiKey });
    expect(list.body.data[0]?.routing.attempts.map((attempt) => attempt.provider)).toEqual([
      'openai',
      'openai',
      'openai',
      'bfl',
      'bfl',
      'bfl',
    ]);
    expect((await settled()).balance_usd).toBe(before.balance_usd);
  });

  it('a moderation refusal is not passed on to the fallback', async () => {
    const bflCalls = stack.bfl.stats().submit.calls;
    const job = await submit({ model: 'gpt-image-2', prompt: 'bad [emulate:moderation]', fallbacks: ['flux-2-pro'] });
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('moderation_blocked');
    expect(stack.bfl.stats().submit.calls).toBe(bflCalls);
  });

  it('leaves out, with a warning, a fallback that cannot honour the request', async () => {
    const job = await submit({
      model: 'gpt-image-2.6-flare',
      prompt: 'transparent',
      background: 'transparent',
      fallbacks: ['flux-2-pro', 'gpt-image-2.5-sunburst'],
    });
    expect(job.status).toBe('succeeded');
    const warnings = job.result?.extra.warnings.join(' ') ?? '';
    expect(warnings).toContain("Fallback 'flux-2-pro' was left out");
    expect(warnings).not.toContain("'gpt-image-2.5-sunburst' was left out");
  });

  it.each([
    [{ fallbacks: ['no-such-model'] }, 'fallbacks[0]', 'model_not_found'],
    [{ extra: { fallbacks: ['gpt-image-2', 'nope'] } }, 'extra.fallbacks[1]', 'model_not_found'],
    [{ fallbacks: ['a', 'b', 'c', 'd', 'e'] }, 'fallbacks', null],
    [{ fallbacks: 'gpt-image-2' }, 'fallbacks', null],
    [{ fallbacks: ['gpt-image-2'], extra: { fallbacks: ['gpt-image-2'] } }, 'extra.fallbacks', null],
  ])('refuses %j naming %s', async (extra, param, code) => {
    const response = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'x', ...extra },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe(param);
    if (code !== null) expect(response.body.error.code).toBe(code);
  });
});

describe('the attempt log', () => {
  it("records a failed attempt with our code and, apart, the upstream's own", async () => {
    stack.emulator.faults.enqueue({ type: 'insufficient_quota' });
    const job = await submit({ model: 'gpt-image-2.6-flare', prompt: 'out of quota' });
    expect(job.error?.code).toBe('upstream_quota');
    expect(job.routing.attempts).toEqual([
      expect.objectContaining({ status: 'failed', error_code: 'upstream_quota', upstream_code: 'insufficient_quota' }),
    ]);
  });
});
