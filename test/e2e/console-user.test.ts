import { waitForSettlements } from '@imagegate/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, signIn } from '../support/browser.ts';
import { callJson } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The console's user view against the real stack. No worker serves BFL (`WORKER_PROVIDERS`), yet the
 * ingress takes its jobs (`pretendServed`): they stay queued for the running view.
 */
let stack: TestStack;
let browser: Browser;
let account: TestAccount;
let hooks: WebhookReceiver;

interface JobBody {
  id: string;
  status: string;
  queue_position: number | null;
  billing: { charged_usd: number; upstream_cost_usd: number | null };
  result: { data: { url: string }[] } | null;
}

interface AccountBody {
  balance_usd: number;
  held_usd: number;
  available_usd: number;
  spend_90d_usd: number;
  markup: number;
  next_tier: { at_spend_usd: number; markup: number } | null;
}

/** Dollars as the console shows them (lib/format.js `usd`): 2, 3 or 4 decimals by size. */
function shownUsd(amount: number): string {
  const size = Math.abs(amount);
  return `${amount < 0 ? '−' : ''}$${size.toFixed(size >= 100 ? 2 : size >= 1 ? 3 : 4)}`;
}

async function generate(prompt: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return callJson<JobBody & { extra: { job_id: string } }>(`${stack.baseURL}/images/generations`, {
    apiKey: account.apiKey,
    headers,
    body: { model: 'gpt-image-2', prompt, quality: 'low', response_format: 'url', ...extra },
  });
}

async function readJob(id: string): Promise<JobBody> {
  return (await callJson<JobBody>(`${stack.baseURL}/images/jobs/${id}`, { apiKey: account.apiKey })).body;
}

/** Whether `selector`'s image has loaded real pixels (an image that failed to load has naturalWidth 0). */
function loadedWidth(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((element) => {
      const image = element as unknown as { complete: boolean; naturalWidth: number };
      return image.complete ? image.naturalWidth : 0;
    })
    .catch(() => 0);
}

let generatedJobId: string;
let chatJobId: string;

/** How long a page may take to show what the API says (two cores shared by several stacks). */
const SOON = { timeout: 10_000 };

beforeAll(async () => {
  [stack, browser, hooks] = await Promise.all([
    startTestStack({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*', WORKER_PROVIDERS: 'openai,google' } }),
    launchBrowser(),
    startWebhookReceiver(),
  ]);
  await stack.pretendServed('bfl');
  account = await stack.createAccount('console-user', 20);
  const generated = await generate('a lighthouse at dusk', { webhook_url: hooks.url });
  expect(generated.status).toBe(200);
  generatedJobId = generated.body.extra.job_id;
  const chat = await callJson<{ extra: { job_id: string } }>(`${stack.baseURL}/chat/completions`, {
    apiKey: account.apiKey,
    body: { model: 'gpt-image-2', messages: [{ role: 'user', content: 'a paper boat on a pond' }] },
  });
  expect(chat.status).toBe(200);
  chatJobId = chat.body.extra.job_id;
  await waitForSettlements(stack.database.pool);
  await hooks.waitFor(1);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await hooks?.close();
  await stack?.stop();
});

describe('the console, user view', () => {
  it('shows the account as GET /v1/account reads it, the next tier, the day of spend and the ledger', async () => {
    const figures = (await callJson<AccountBody>(`${stack.baseURL}/account`, { apiKey: account.apiKey })).body;
    expect(figures.balance_usd).toBeLessThan(20);
    const { page, context, problems } = await openConsole(browser, stack.url);
    try {
      await signIn(page, 'user', account.apiKey);
      const stat = (id: string) => page.getByTestId(id).locator('.stat-value').textContent();
      await expect.poll(() => stat('balance'), SOON).toBe(shownUsd(figures.balance_usd));
      expect(await stat('held')).toBe(shownUsd(figures.held_usd));
      expect(await stat('available')).toBe(shownUsd(figures.available_usd));
      expect(await stat('spend-90d')).toBe(shownUsd(figures.spend_90d_usd));
      expect(await stat('markup')).toBe(`+${Math.round((figures.markup - 1) * 100)} %`);
      const next = figures.next_tier;
      expect(next).not.toBeNull();
      expect(await page.getByTestId('markup').textContent()).toContain(
        `Spend ${shownUsd((next?.at_spend_usd ?? 0) - figures.spend_90d_usd)} more to reach +${Math.round(((next?.markup ?? 1) - 1) * 100)} %`,
      );

      // 90 bars' worth of days; today's bar is drawn, and its hover title says what was spent.
      const spend = (
        await callJson<{ data: { date: string; spend_usd: number; jobs: number }[] }>(
          `${stack.baseURL}/account/spend?days=90`,
          { apiKey: account.apiKey },
        )
      ).body.data;
      const today = spend.at(-1);
      expect(today?.spend_usd).toBeGreaterThan(0);
      await expect.poll(() => page.locator('svg.spend-chart g.chart-day').count(), SOON).toBe(90);
      const day = page.locator(`svg.spend-chart g.chart-day[data-date="${today?.date}"]`);
      expect(await day.locator('rect.chart-bar').count()).toBe(1);
      expect(today?.jobs).toBe(2);
      expect(await day.locator('title').textContent()).toContain(`${shownUsd(today?.spend_usd ?? 0)}, 2 jobs`);
      expect(await page.locator('svg.spend-chart g.chart-day rect.chart-bar').count()).toBe(1);

      // The ledger: the starter grant, the job's hold and its debit (linked to the job).
      const ledger = page.locator('.ledger tbody tr');
      await expect
        .poll(() => ledger.locator('.badge').allTextContents(), SOON)
        .toEqual(expect.arrayContaining(['grant', 'hold', 'debit']));
      const debits = ledger.filter({ hasText: 'debit' });
      expect(await debits.locator('a').allTextContents()).toEqual([chatJobId, generatedJobId]);
      expect(await ledger.filter({ hasText: 'grant' }).textContent()).toContain('+$20.000');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists the job with a thumbnail that loads; its page shows the image, billing, attempts, and sends its webhook again', async () => {
    const job = await readJob(generatedJobId);
    expect(job.status).toBe('succeeded');
    const { page, context, problems } = await openConsole(browser, stack.url);
    try {
      await signIn(page, 'user', account.apiKey);
      await page.getByRole('link', { name: 'Jobs', exact: true }).click();
      const row = page.locator('.job-table tbody tr', { hasText: generatedJobId });
      await row.waitFor();
      expect(await row.locator('.badge').textContent()).toBe('succeeded');
      expect(await row.textContent()).toContain('gpt-image-2');
      expect(await row.textContent()).toContain(shownUsd(job.billing.charged_usd));
      await expect
        .poll(() => loadedWidth(page, `.job-table tr:has-text("${generatedJobId}") img.thumb`), SOON)
        .toBeGreaterThan(0);

      await row.click();
      await page.waitForURL(`**/#/jobs/${generatedJobId}`);
      await expect.poll(() => loadedWidth(page, '.result-images img'), SOON).toBeGreaterThan(0);
      const download = page.getByRole('link', { name: 'Download' });
      expect(await download.getAttribute('download')).toBe(`${generatedJobId}-1.png`);
      expect(await page.getByTestId('charged').textContent()).toBe(shownUsd(job.billing.charged_usd));
      expect(job.billing.upstream_cost_usd).not.toBeNull();
      expect(await page.getByTestId('upstream-cost').textContent()).toBe(shownUsd(job.billing.upstream_cost_usd ?? 0));
      const attempt = page.locator('table.routing tbody tr');
      expect(await attempt.count()).toBe(1);
      expect(await attempt.textContent()).toMatch(/openai.*gpt-image-2.*succeeded/);
      expect(await page.locator('dl.facts dd.prompt').textContent()).toBe('a lighthouse at dusk');

      // The delivery the job's end sent, then once more by hand: same webhook-id, a second attempt listed.
      const delivery = page.getByTestId('webhook-delivery');
      await expect.poll(() => delivery.locator('.attempts tbody tr').count(), SOON).toBe(1);
      expect(await delivery.locator('.badge').first().textContent()).toBe('succeeded');
      await delivery.getByRole('button', { name: 'Send again' }).click();
      const received = await hooks.waitFor(2);
      expect(received).toHaveLength(2);
      expect(received[1]?.headers['webhook-id']).toBe(received[0]?.headers['webhook-id']);
      await expect.poll(() => delivery.locator('.attempts tbody tr').count(), { timeout: 20_000 }).toBe(2);
      await expect.poll(() => delivery.locator('.badge').first().textContent(), SOON).toBe('succeeded');

      // A chat job's images are in its chat completion: its thumbnail and its page show them too.
      await page.getByRole('link', { name: 'Jobs', exact: true }).click();
      const chatRow = page.locator('.job-table tbody tr', { hasText: chatJobId });
      expect(await chatRow.textContent()).toContain('chat');
      await expect
        .poll(() => loadedWidth(page, `.job-table tr:has-text("${chatJobId}") img.thumb`), SOON)
        .toBeGreaterThan(0);
      await chatRow.click();
      await page.waitForURL(`**/#/jobs/${chatJobId}`);
      await expect.poll(() => loadedWidth(page, '.result-images img'), SOON).toBeGreaterThan(0);
      expect(await page.locator('.messages').textContent()).toContain('a paper boat on a pond');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows queued jobs with their place in the queue, updates itself, and drops a job once it ends', async () => {
    const queue = async (prompt: string) => {
      const accepted = await generate(prompt, { model: 'flux-2-pro', quality: undefined }, { prefer: 'respond-async' });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      return accepted.body;
    };
    const first = await queue('first in line');
    const second = await queue('second in line');
    expect([first.queue_position, second.queue_position]).toEqual([0, 1]);
    const { page, context, problems } = await openConsole(browser, stack.url);
    try {
      await signIn(page, 'user', account.apiKey);
      await page.getByRole('link', { name: 'Running', exact: true }).click();
      const rowOf = (id: string) => page.locator(`.live-table tr[data-job="${id}"]`);
      await expect.poll(() => rowOf(first.id).textContent(), SOON).toContain('#1');
      expect(await rowOf(second.id).textContent()).toContain('#2');
      expect(await rowOf(second.id).textContent()).toContain('1 ahead');
      expect(await page.locator('.live-table tbody tr').count()).toBe(2);

      // Ended elsewhere (the API): the view notices by itself. (The other job keeps its place: the
      // canceled job's queue entry stays ahead of it until a worker takes it off.)
      const canceled = await callJson<JobBody>(`${stack.baseURL}/images/jobs/${first.id}/cancel`, {
        method: 'POST',
        apiKey: account.apiKey,
      });
      expect(canceled.body.status).toBe('canceled');
      await expect.poll(() => rowOf(first.id).count(), SOON).toBe(0);
      expect(await page.locator('.live-table tbody tr').count()).toBe(1);

      // Ended from its own page.
      await rowOf(second.id).getByRole('link', { name: second.id }).click();
      await page.getByRole('button', { name: 'Cancel job' }).click();
      await expect.poll(() => page.locator('.page-head .badge').textContent(), SOON).toBe('canceled');
      expect(await page.getByRole('button', { name: 'Cancel job' }).count()).toBe(0);
      expect((await readJob(second.id)).status).toBe('canceled');
      await page.getByRole('link', { name: 'Running', exact: true }).click();
      await expect
        .poll(() => page.locator('.live-table tbody').textContent(), SOON)
        .toContain('Nothing is queued or running.');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('goes back to sign-in with the error once its key is revoked', async () => {
    const revoked = await stack.createAccount('console-revoked', 5);
    const { page, context, problems } = await openConsole(browser, stack.url);
    try {
      await signIn(page, 'user', revoked.apiKey);
      await page.getByRole('link', { name: 'Running', exact: true }).click();
      await page.locator('.live-table').waitFor();
      const deleted = await stack.admin(`/admin/v1/api_keys/${revoked.keyId}`, { method: 'DELETE' });
      expect(deleted.status).toBe(200);
      // The running view reads every 2 s; a key's resolution is cached up to 2 s.
      await page.locator('input[name=token]').waitFor({ timeout: 20_000 });
      expect(await page.getByRole('alert').textContent()).toMatch(/api key/i);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(await page.locator('.sidebar').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
