import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, signIn } from '../support/browser.ts';
import { callJson, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * The console's admin view against the real stack: accounts (search, create, credit, keys, webhook
 * secret), the providers' live status and the margin report. No worker serves BFL here (a heartbeat
 * is faked), so FLUX jobs stay queued for as long as the test wants.
 */
let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let fox: TestAccount;
let otter: TestAccount;

interface AdminAccount {
  id: string;
  name: string;
  balance_usd: number;
  available_usd: number;
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startTestStack({ env: { WORKER_PROVIDERS: 'openai,google' } }),
    launchBrowser(),
  ]);
  await stack.pretendServed('bfl');
  [fox, otter] = await Promise.all([
    stack.createAccount('Findable Fox Studio', 100),
    stack.createAccount('Other Otter Ltd', 100),
  ]);
  ({ page, context, problems } = await openConsole(browser, stack.url));
  await signIn(page, 'admin', stack.adminToken);
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

async function adminAccount(id: string): Promise<AdminAccount> {
  return (await (await stack.admin(`/admin/v1/accounts/${id}`)).json()) as AdminAccount;
}

async function goTo(path: string): Promise<void> {
  // A string: the test's own types know no DOM.
  await page.evaluate(`location.hash = ${JSON.stringify(`#${path}`)}`);
}

/** The account page of `id`, loaded (its name as the heading). */
async function openAccount(id: string, name: string): Promise<void> {
  await goTo(`/admin/accounts/${id}`);
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

/** Dollars as the console writes them: more decimals for smaller amounts (lib/format.js). */
function usdText(amount: number): string {
  return `$${amount.toFixed(amount >= 100 ? 2 : amount >= 1 ? 3 : 4)}`;
}

const statValue = (testId: string) => page.getByTestId(testId).locator('.stat-value').textContent();

describe('accounts', () => {
  it('finds an account by a part of its name, and not the others', async () => {
    await goTo('/admin/accounts');
    const table = page.locator('table');
    await expect.poll(() => table.textContent()).toContain(otter.accountId);
    await page.getByRole('searchbox', { name: 'Search accounts' }).fill('fox');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.textContent()).toContain(fox.accountId);
    expect(await table.textContent()).toContain('$100.00');
    await page.getByRole('searchbox', { name: 'Search accounts' }).fill('no such account anywhere');
    await expect.poll(() => page.getByText('No account matches').count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Search accounts' }).fill('');
    await page.getByRole('link', { name: 'Findable Fox Studio' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Findable Fox Studio');
    expect(problems).toEqual([]);
  });

  it('creates an account and opens it, showing its webhook secret once', async () => {
    await goTo('/admin/accounts');
    const form = page.locator('form', { has: page.getByRole('button', { name: 'Create account' }) });
    await form.getByLabel('Name').fill('Made In The Console');
    await form.getByLabel('Starter credit (USD)').fill('12.5');
    await form.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Made In The Console');
    const id = /#\/admin\/accounts\/(acct_[^/?]+)$/.exec(page.url())?.[1] ?? '';
    expect(id).not.toBe('');
    expect(await adminAccount(id)).toMatchObject({ name: 'Made In The Console', balance_usd: 12.5 });
    expect(await statValue('admin-balance')).toBe('$12.500');
    const secret = page.getByRole('textbox', { name: 'The new account’s webhook secret' });
    expect(await secret.inputValue()).toMatch(/^whsec_/);

    // Gone once the page is left.
    await goTo('/admin/accounts');
    await openAccount(id, 'Made In The Console');
    await page.getByRole('heading', { name: 'Webhook secret' }).waitFor();
    expect(await page.locator('.admin-secret').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('adds credit with a reason, and takes some back after a confirm', async () => {
    await openAccount(fox.accountId, 'Findable Fox Studio');
    const form = page.locator('form', { has: page.getByRole('button', { name: 'Add credit' }) });
    await form.getByLabel('Amount (USD)').fill('25');
    await form.getByLabel('Reason').fill('Invoice 2041, bank transfer');
    await form.getByRole('button', { name: 'Add credit' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Added $25.000');
    expect(await statValue('admin-balance')).toBe('$125.00');
    expect((await adminAccount(fox.accountId)).balance_usd).toBe(125);

    // A correction: refused at the confirm first (nothing happens), then accepted.
    await form.getByLabel('Amount (USD)').fill('-5');
    await form.getByLabel('Reason').fill('Double-counted invoice');
    page.once('dialog', (dialog) => dialog.dismiss());
    await form.getByRole('button', { name: 'Add credit' }).click();
    expect(await form.getByLabel('Amount (USD)').inputValue()).toBe('-5');
    page.once('dialog', (dialog) => dialog.accept());
    await form.getByRole('button', { name: 'Add credit' }).click();
    await expect.poll(() => statValue('admin-balance')).toBe('$120.00');
    expect(await page.getByRole('status').textContent()).toContain('adjustment');
    expect((await adminAccount(fox.accountId)).balance_usd).toBe(120);
    expect(problems).toEqual([]);
  });

  it('creates a key shown once that works, and revokes it', async () => {
    await openAccount(fox.accountId, 'Findable Fox Studio');
    const keys = page.locator('section', { has: page.getByRole('heading', { name: 'API keys' }) });
    await keys.getByLabel("New key's name").fill('console-key');
    await keys.getByRole('button', { name: 'Create key' }).click();
    const box = page.getByRole('textbox', { name: 'New API key “console-key”' });
    const key = await box.inputValue();
    const me = await callJson<{ id: string }>(`${stack.baseURL}/account`, { apiKey: key });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(fox.accountId);
    const row = keys.locator('tbody tr', { hasText: 'console-key' });
    expect(await row.textContent()).toContain(key.slice(0, 10));
    expect(await row.textContent()).not.toContain(key);

    page.once('dialog', (dialog) => dialog.accept());
    await row.getByRole('button', { name: /^Revoke console-key/ }).click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    await expect
      .poll(async () => (await callJson(`${stack.baseURL}/account`, { apiKey: key })).status, { timeout: 5_000 })
      .toBe(401);
    // The other key still works.
    expect((await callJson(`${stack.baseURL}/account`, { apiKey: fox.apiKey })).status).toBe(200);

    await goTo('/admin/accounts');
    await openAccount(fox.accountId, 'Findable Fox Studio');
    await keys.locator('tbody tr', { hasText: 'console-key' }).waitFor();
    expect(await page.locator('.admin-secret').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('rotates the webhook secret and shows the new one once', async () => {
    await openAccount(otter.accountId, 'Other Otter Ltd');
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Rotate webhook secret' }).click();
    const secret = await page.getByRole('textbox', { name: 'New webhook secret' }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(otter.webhookSecret);
    await expect.poll(() => page.locator('.admin-secret').textContent()).toContain('previous secret signs too');
    expect(problems).toEqual([]);
  });
});

describe('providers', () => {
  const card = (provider: string) =>
    page.locator('section.admin-provider', { has: page.getByRole('heading', { name: provider, exact: true }) });

  it('shows each queue moving, the workers, a failure by its code, the calls in the last minute and a 429 pause', async () => {
    await goTo('/admin/providers');
    await expect.poll(() => card('openai').count()).toBe(1);
    expect(await card('bfl').count()).toBe(1);
    expect(await card('google').count()).toBe(1);
    expect(await card('bfl').getByTestId('queue-waiting').textContent()).toBe('0');
    expect(await card('openai').locator('.admin-list li').first().textContent()).toMatch(/just now|s ago/);
    expect(await card('bfl').textContent()).toContain('No worker has reported');

    const queued = await Promise.all(
      [1, 2].map((n) =>
        callJson<{ id: string }>(`${stack.baseURL}/images/generations`, {
          apiKey: fox.apiKey,
          headers: { prefer: 'respond-async' },
          body: { model: 'flux-2-pro', prompt: `waits ${n}` },
        }),
      ),
    );
    expect(queued.map((response) => response.status)).toEqual([202, 202]);
    // The page refreshes by itself.
    await expect.poll(() => card('bfl').getByTestId('queue-waiting').textContent(), { timeout: 10_000 }).toBe('2');

    stack.emulator.faults.enqueue({ type: 'error', status: 401 });
    const failed = await callJson(`${stack.baseURL}/images/generations`, {
      apiKey: fox.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'our credentials are wrong' },
    });
    expect(failed.status).toBe(502);
    await expect
      .poll(() => card('openai').getByRole('list', { name: 'Recent failures' }).textContent(), { timeout: 10_000 })
      .toContain('upstream_auth');
    await expect
      .poll(() => card('openai').getByTestId('calls-last-minute').textContent(), { timeout: 10_000 })
      .toMatch(/^[1-9]\d* \/ 100000$/);

    // A 429 with Retry-After pauses the provider: the card says until when, and the job goes through after.
    stack.emulator.faults.enqueue({ type: 'rate_limit', retryAfterS: 6 });
    const limited = await callJson<{ id: string }>(`${stack.baseURL}/images/generations`, {
      apiKey: fox.apiKey,
      headers: { prefer: 'respond-async' },
      body: { model: 'gpt-image-2.6-flare', prompt: 'meets a 429' },
    });
    await expect
      .poll(() => card('openai').getByRole('status').textContent(), { timeout: 10_000 })
      .toMatch(/Paused after a 429.*calls resume in \d+ s/);
    expect(await card('openai').locator('.card-head .badge').textContent()).toBe('paused');
    expect((await pollJob(stack.url, fox.apiKey, limited.body.id, 30_000)).status).toBe('succeeded');

    // Settles their holds (a canceled job stays in BullMQ's waiting list until a worker takes it up).
    await Promise.all(
      queued.map((response) =>
        callJson(`${stack.baseURL}/images/jobs/${response.body.id}/cancel`, { method: 'POST', apiKey: fox.apiKey }),
      ),
    );
    expect(problems).toEqual([]);
  });
});

describe('margin', () => {
  it("shows a generated job's model with what it was charged", async () => {
    const generated = await callJson(`${stack.baseURL}/images/generations`, {
      apiKey: otter.apiKey,
      body: { model: 'gpt-image-2.6-sunburst', prompt: 'a lighthouse at dusk' },
    });
    expect(generated.status).toBe(200);
    const jobs = await callJson<{ data: { model: string }[] }>(`${stack.baseURL}/images/jobs?limit=1`, {
      apiKey: otter.apiKey,
    });
    const model = jobs.body.data[0]?.model ?? '';
    expect(model).not.toBe('');

    await goTo('/admin/margin');
    const table = page.getByRole('table', { name: 'Margin per model' });
    await expect.poll(() => table.locator('tbody tr').allTextContents()).toContainEqual(expect.stringContaining(model));
    const report = (await (await stack.admin('/admin/v1/reports/margin')).json()) as {
      total: { charged_usd: number; jobs: number };
    };
    expect(await table.locator('tbody tr').count()).toBe(2); // and the job that met a 429
    expect(await table.locator('tfoot').textContent()).toContain(usdText(report.total.charged_usd));

    // A range before the job: nothing in it.
    await page.getByLabel('Since').fill('2020-01-01T00:00');
    await page.getByLabel('Until (empty: now)').fill('2020-02-01T00:00');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.getByText('No job succeeded in this range.').count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
