import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); `CHROMIUM_PATH` points at another build. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium as the console's tests drive it. The flags keep it off the network it cannot
 * reach here (background services, component updates), which otherwise slow every start.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install Debian's chromium package or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Script errors, failed console messages and CSP violations the page reported so far. */
  problems: string[];
}

/** A fresh tab (its own session storage) on the console, recording whatever goes wrong in the page. */
export async function openConsole(browser: Browser, baseUrl: string): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx the page shows to the user on purpose is logged by Chromium as a failed resource: not a problem.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  await page.goto(`${baseUrl}/console/`);
  return { page, context, problems };
}

/** Signs in through the form, as a person would, and waits for the view's navigation. */
export async function signIn(page: Page, kind: 'user' | 'admin', token: string): Promise<void> {
  await page
    .getByLabel(kind === 'admin' ? 'Admin token' : 'API key', { exact: true })
    .first()
    .check();
  await page.locator('input[name=token]').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.sidebar').waitFor();
}
