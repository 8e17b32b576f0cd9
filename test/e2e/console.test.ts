import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, signIn } from '../support/browser.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let browser: Browser;
let account: TestAccount;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchBrowser()]);
  account = await stack.createAccount('console');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the console shell', () => {
  it('is served at /console/ with a policy that forbids inline script, and Preact from node_modules', async () => {
    const response = await fetch(`${stack.url}/console/`);
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).toContain("frame-ancestors 'none'");
    const page = await response.text();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const vendor = await fetch(`${stack.url}/console/vendor/standalone.module.js`);
    expect(vendor.status).toBe(200);
    expect(vendor.headers.get('content-type')).toContain('javascript');
    expect(await vendor.text()).toContain('useState');
    expect((await fetch(`${stack.url}/console`, { redirect: 'manual' })).status).toBe(301);
    expect((await fetch(`${stack.url}/console/nothing-here.js`)).status).toBe(404);
  });

  it('refuses a wrong key with the API error, signs in with a right one, keeps it out of the URL, and signs out', async () => {
    const { page, context, problems } = await openConsole(browser, stack.url);
    try {
      await page.locator('input[name=token]').fill('ig_wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/api key/i);

      await signIn(page, 'user', account.apiKey);
      expect(page.url()).not.toContain(account.apiKey);
      const stored = await page.evaluate(() => sessionStorage.getItem('imagegate.console.session'));
      expect(stored).toContain(account.apiKey);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      await expect.poll(() => page.locator('.sidebar nav a').allTextContents()).toContain('Playground');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('input[name=token]').waitFor();
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('opens the admin view with the admin token', async () => {
    const { page, context, problems } = await openConsole(browser, stack.url);
    try {
      await signIn(page, 'admin', stack.adminToken);
      await expect
        .poll(() => page.locator('.sidebar nav a').allTextContents())
        .toEqual(['Accounts', 'Providers', 'Margin']);
      expect(page.url()).toContain('#/admin/accounts');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
