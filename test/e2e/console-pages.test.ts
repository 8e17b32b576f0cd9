import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitForSettlements } from '@imagegate/testing';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, openConsole, signIn } from '../support/browser.ts';
import { callJson } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * Every console page, with an account that has a history: each must render its data without a
 * script error or a policy violation. With `CONSOLE_SCREENSHOTS_DIR` set (`pnpm console:screenshots`
 * sets `docs/console`), each page is also photographed there for docs/console.md.
 */
const shotsDir = process.env.CONSOLE_SCREENSHOTS_DIR;
let stack: TestStack;
let browser: Browser;
let hooks: WebhookReceiver;
let studio: TestAccount;
let jobId: string;

async function generate(apiKey: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return callJson<{ id?: string; extra?: { job_id: string } }>(`${stack.baseURL}/images/generations`, {
    apiKey,
    headers,
    body: { response_format: 'url', ...body },
  });
}

/** A 768×512 photo-like input for the playground's edit: a sky, a sea and a sun. */
function sampleImage(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="768" height="512">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f6a96b"/><stop offset="1" stop-color="#fde2c2"/></linearGradient></defs>
    <rect width="768" height="300" fill="url(#sky)"/><rect y="300" width="768" height="212" fill="#2b6f8f"/>
    <circle cx="540" cy="250" r="70" fill="#ffd36e"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

beforeAll(async () => {
  [stack, browser, hooks] = await Promise.all([
    // No worker serves BFL: its jobs stay queued for the running view and the providers page.
    startTestStack({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*', WORKER_PROVIDERS: 'openai,google' } }),
    launchBrowser(),
    startWebhookReceiver(),
  ]);
  await stack.pretendServed('bfl');
  studio = await stack.createAccount('Northwind Studio', 250);
  const others = await Promise.all(
    ['Lumen Labs', 'Acme Print Co.', 'Pixel Harbor'].map((name, index) =>
      stack.createAccount(name, [40, 1200, 15][index]),
    ),
  );
  await stack.admin(`/admin/v1/accounts/${studio.accountId}/credits`, {
    body: { amount_usd: 500, reason: 'Invoice 2041' },
  });
  const first = await generate(studio.apiKey, {
    model: 'gpt-image-2',
    prompt: 'a lighthouse at dusk',
    quality: 'medium',
    webhook_url: hooks.url,
  });
  jobId = first.body.extra?.job_id ?? '';
  await Promise.all([
    generate(studio.apiKey, { model: 'gpt-image-2', prompt: 'a paper boat on a pond', n: 2, quality: 'low' }),
    generate(studio.apiKey, { model: 'gemini-3-pro-image', prompt: 'a fox in the snow', aspect_ratio: '16:9' }),
    generate(studio.apiKey, { model: 'gemini-nano-banana-2.1', prompt: 'a teapot, studio light' }),
    generate(others[0]?.apiKey ?? '', { model: 'gpt-image-2', prompt: 'a bicycle', quality: 'low' }),
    generate(others[1]?.apiKey ?? '', { model: 'gemini-3-pro-image', prompt: 'a cathedral' }),
  ]);
  for (const prompt of ['a harbour at noon', 'a red kite over the dunes']) {
    await generate(studio.apiKey, { model: 'flux-2-pro', prompt }, { prefer: 'respond-async' });
  }
  await waitForSettlements(stack.database.pool, 1);
  await hooks.waitFor(1);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hooks?.close();
  await stack?.stop();
});

/** The page's globals, typed here (the tests are compiled without the DOM's types). */
interface PageGlobals {
  document: { images: ArrayLike<{ complete: boolean }> };
  location: { hash: string };
}

/** Waits until the page has shown its data (no "Loading…" left), then photographs it when asked. */
async function settle(page: Page, name: string, ready: string): Promise<void> {
  await page.locator(ready).first().waitFor({ timeout: 20_000 });
  await expect.poll(() => page.locator('.loading').count(), { timeout: 20_000 }).toBe(0);
  // Images that are on the page have loaded (or failed, which the problems list would show).
  const allLoaded = () =>
    page.evaluate(() =>
      Array.from((globalThis as unknown as PageGlobals).document.images).every((image) => image.complete),
    );
  await expect.poll(allLoaded, { timeout: 20_000 }).toBe(true);
  if (shotsDir !== undefined) {
    mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: join(shotsDir, `${name}.png`) });
  }
}

async function visit(page: Page, hash: string): Promise<void> {
  await page.evaluate((target) => {
    (globalThis as unknown as PageGlobals).location.hash = target;
  }, hash);
}

it('renders every page of the user view with the account’s data', async () => {
  const { page, context, problems } = await openConsole(browser, stack.url);
  try {
    await settle(page, '01-sign-in', 'input[name=token]');
    await signIn(page, 'user', studio.apiKey);
    await settle(page, '02-overview', 'svg.spend-chart');
    expect(await page.locator('.ledger tbody tr').count()).toBeGreaterThan(1);

    await visit(page, '#/jobs');
    await settle(page, '03-jobs', '.job-table tbody tr img');
    expect(await page.locator('.job-table tbody tr').count()).toBeGreaterThanOrEqual(6);

    await visit(page, `#/jobs/${jobId}`);
    await settle(page, '04-job', '[data-testid=webhook-delivery]');
    expect(await page.locator('dl.facts dd.prompt').textContent()).toBe('a lighthouse at dusk');

    await visit(page, '#/live');
    await settle(page, '05-running', '.live-table tbody tr');
    expect(await page.locator('.live-table tbody tr').count()).toBe(2);

    await visit(page, '#/playground');
    await page.getByLabel('Model').selectOption('gpt-image-2');
    await page.getByLabel('Prompt').fill('a lighthouse at dusk, the keeper’s cat on the rail');
    await page.getByLabel('Quality').selectOption('low');
    await page.getByRole('button', { name: 'Generate' }).click();
    await settle(page, '06-playground', 'img[alt="Generated image 1"]');

    await page.getByLabel('Edit images').check();
    await page.getByLabel('Prompt').fill('a sailing boat on the sea');
    await page
      .getByLabel('Input images')
      .setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: await sampleImage() });
    const canvas = page.getByLabel('Mask painter: drag over the area to repaint');
    const box = await canvas.boundingBox();
    if (box === null) throw new Error('the mask painter is not on the page');
    await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.7);
    await page.mouse.down();
    for (let step = 1; step <= 10; step++) {
      await page.mouse.move(box.x + box.width * (0.15 + step * 0.03), box.y + box.height * (0.7 + (step % 2) * 0.05));
    }
    await page.mouse.up();
    const generated = await page.locator('.pg-job a').textContent();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await expect.poll(() => page.locator('.pg-job a').textContent(), { timeout: 20_000 }).not.toBe(generated);
    await settle(page, '07-playground-edit', 'img[alt="Generated image 1"]');
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
}, 120_000);

it('renders every page of the admin view', async () => {
  const { page, context, problems } = await openConsole(browser, stack.url);
  try {
    await signIn(page, 'admin', stack.adminToken);
    await settle(page, '08-admin-accounts', 'table tbody tr');
    expect(await page.locator('table tbody tr').count()).toBe(4);

    await visit(page, `#/admin/accounts/${studio.accountId}`);
    await page.getByRole('heading', { name: 'Northwind Studio' }).waitFor();
    await page.getByLabel("New key's name").fill('mobile-app');
    await page.getByRole('button', { name: 'Create key' }).click();
    await settle(page, '09-admin-account', '.admin-secret');

    await visit(page, '#/admin/providers');
    await settle(page, '10-admin-providers', 'section.admin-provider');
    expect(await page.locator('section.admin-provider').count()).toBe(3);

    await visit(page, '#/admin/margin');
    await settle(page, '11-admin-margin', 'table tbody tr');
    expect(await page.locator('main').textContent()).toContain('gemini-3-pro-image');
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
}, 120_000);
