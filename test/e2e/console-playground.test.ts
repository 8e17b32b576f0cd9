import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, signIn } from '../support/browser.ts';
import { gradientPng } from '../support/edit-images.ts';
import { callJson } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * The console's playground, driven in Chromium against the whole stack and the upstream emulators:
 * the price shown before sending is what the job is charged, images load (waited for, streamed,
 * as a job), a mask painted with the mouse reaches the upstream transparent where painted, the
 * snippets say the same request without the key, and a refused parameter shows the API's error.
 */

let stack: TestStack;
let browser: Browser;
let account: TestAccount;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(), launchBrowser()]);
  account = await stack.createAccount('playground', 50);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Job {
  id: string;
  status: string;
  billing: { charged_usd: number; held_usd: number };
  request: { mask?: { url: string; width: number; height: number } };
}

const jobOf = async (id: string) =>
  (await callJson<Job>(`${stack.baseURL}/images/jobs/${id}`, { apiKey: account.apiKey })).body;

/** A signed-in tab on the playground, with the models loaded. */
async function openPlayground() {
  const opened = await openConsole(browser, stack.url);
  await signIn(opened.page, 'user', account.apiKey);
  await opened.page.getByRole('link', { name: 'Playground' }).click();
  await opened.page.getByLabel('Model').waitFor();
  return opened;
}

/** The quote's exact price once the form has rested and been priced (`<data value>` holds it unrounded). */
async function quotedPrice(page: Page): Promise<number> {
  const price = page.getByTestId('quote-price').locator('data').first();
  await expect
    .poll(async () => (await page.locator('.pg-stale').count()) === 0 && (await price.count()) > 0)
    .toBe(true);
  return Number(await price.getAttribute('value'));
}

/** An <img>'s decoded width (0 while it is missing or broken); the tests' TypeScript has no DOM types. */
const naturalWidth = (element: unknown) => (element as { naturalWidth: number }).naturalWidth;

/** Waits for generated image `index` to be decoded (a broken or missing image has naturalWidth 0). */
async function imageLoaded(page: Page, index = 1): Promise<number> {
  const image = page.getByRole('img', { name: `Generated image ${index}`, exact: true });
  await image.waitFor();
  await expect.poll(() => image.evaluate(naturalWidth)).toBeGreaterThan(0);
  return image.evaluate(naturalWidth);
}

async function jobIdShown(page: Page): Promise<string> {
  const link = page.locator('.pg-job a');
  await link.waitFor();
  const id = (await link.textContent()) ?? '';
  expect(await link.getAttribute('href')).toBe(`#/jobs/${id}`);
  return id;
}

describe('the playground', () => {
  it('prices the request, generates it as priced, shows the image, and gives curl and Python without the key', async () => {
    const { page, context, problems } = await openPlayground();
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
      await page.getByLabel('Model').selectOption('gpt-image-2');
      await page.getByLabel('Prompt').fill("a lighthouse at dusk, the keeper's cat");
      await page.getByLabel('Size', { exact: true }).selectOption('1536x1024');
      await page.getByLabel('Quality').selectOption('low');
      const quoted = await quotedPrice(page);
      expect(quoted).toBeGreaterThan(0);

      await page.getByRole('button', { name: 'Generate' }).click();
      expect(await imageLoaded(page)).toBe(1536);
      const job = await jobOf(await jobIdShown(page));
      expect(job.status).toBe('succeeded');
      expect(job.billing.charged_usd).toBe(quoted);
      expect(Number(await page.getByTestId('charged').locator('data').getAttribute('value'))).toBe(quoted);

      const snippet = page.locator('.pg-snippets pre');
      const curl = (await snippet.textContent()) ?? '';
      expect(curl).toContain(`${stack.url}/v1/images/generations`);
      expect(curl).toContain('"model": "gpt-image-2"');
      expect(curl).toContain("the keeper'\\''s cat"); // single-quoted for the shell
      expect(curl).toContain('$IMAGEGATE_API_KEY');
      await page.getByRole('button', { name: 'Copy' }).click();
      await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()')).toBe(curl);

      await page.getByRole('tab', { name: 'Python (openai)' }).click();
      const python = (await snippet.textContent()) ?? '';
      expect(python).toContain('client.images.generate(');
      expect(python).toContain('model="gpt-image-2"');
      expect(python).toContain(`prompt="a lighthouse at dusk, the keeper's cat"`);
      expect(python).toContain('size="1536x1024"');
      expect(python).toContain('os.environ["IMAGEGATE_API_KEY"]');
      for (const text of [curl, python]) expect(text).not.toContain(account.apiKey);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('streams: the partial images the model sends show before the final image', async () => {
    const { page, context, problems } = await openPlayground();
    try {
      await page.getByLabel('Prompt').fill('a red kite over the dunes [emulate:latency=3000]');
      await page.getByLabel('Quality').selectOption('low');
      await page.getByLabel('Stream partial images').check();
      await page.getByLabel('Partial images', { exact: true }).selectOption('2');
      await quotedPrice(page);
      await page.getByRole('button', { name: 'Generate' }).click();
      const events = page.getByRole('list', { name: 'Stream events' }).locator('li');
      // The first partial arrives while the image still renders: no final image yet.
      await events.first().waitFor();
      expect(await events.first().textContent()).toMatch(/^partial 1/);
      expect(await page.getByRole('img', { name: 'Generated image 1' }).count()).toBe(0);
      await imageLoaded(page);
      expect((await events.allTextContents()).map((text) => text.replace(/ [\d.]+ s$/, ''))).toEqual([
        'partial 1',
        'partial 2',
        'completed',
      ]);
      const partials = page.getByRole('img', { name: /^Partial image/ });
      expect(await partials.count()).toBe(2);
      expect(await partials.first().evaluate(naturalWidth)).toBeGreaterThan(0);
      expect((await jobOf(await jobIdShown(page))).status).toBe('succeeded');

      expect(await page.locator('.pg-snippets pre').textContent()).toContain('"stream": true');
      await page.getByRole('tab', { name: 'Python (openai)' }).click();
      expect(await page.locator('.pg-snippets pre').textContent()).toContain('stream=True');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('as a job: shows the job link at once, follows the job, then shows its image', async () => {
    const { page, context, problems } = await openPlayground();
    try {
      await page.getByLabel('Prompt').fill('a quiet harbour at noon [emulate:latency=3000]');
      await page.getByLabel('As a job').check();
      await page.getByRole('button', { name: 'Generate' }).click();
      const id = await jobIdShown(page);
      expect(id).toMatch(/^job_/);
      expect(await page.getByRole('img', { name: 'Generated image 1' }).count()).toBe(0);
      await imageLoaded(page);
      await expect.poll(() => page.locator('.pg-job .badge').textContent()).toBe('succeeded');
      expect((await jobOf(id)).status).toBe('succeeded');
      expect(await page.locator('.pg-snippets pre').textContent()).toContain("-H 'Prefer: respond-async'");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('edits an uploaded PNG inside a mask painted with the mouse: transparent where painted, and only there repainted', async () => {
    const { page, context, problems } = await openPlayground();
    try {
      const EDGE = 512;
      const source = await gradientPng(EDGE, EDGE);
      await page.getByLabel('Edit images').check();
      await page.getByLabel('Prompt').fill('a blue door on the left');
      await page.getByLabel('Input images').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: source });
      const canvas = page.getByLabel('Mask painter: drag over the area to repaint');
      await canvas.waitFor();
      await page.getByLabel('Size', { exact: true }).selectOption('1024x1024');
      await page.getByLabel('Quality').selectOption('low');

      // A horizontal stroke across the left part of the image, at mid height.
      const box = await canvas.boundingBox();
      if (box === null) throw new Error('the mask canvas is not shown');
      await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.5);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5, { steps: 12 });
      await page.mouse.up();
      const quoted = await quotedPrice(page);
      expect(await page.locator('.pg-snippets pre').textContent()).toContain('-F mask=@mask.png');

      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await imageLoaded(page);
      const job = await jobOf(await jobIdShown(page));
      expect(job.billing.charged_usd).toBe(quoted);

      // The mask the job kept (and sent OpenAI's emulator as it is): the image's size, alpha 0 along the stroke.
      expect(job.request.mask).toMatchObject({ width: EDGE, height: EDGE });
      const maskBytes = Buffer.from(await (await fetch(job.request.mask?.url ?? '')).arrayBuffer());
      const { data: alpha, info } = await sharp(maskBytes)
        .ensureAlpha()
        .extractChannel(3)
        .raw()
        .toBuffer({ resolveWithObject: true });
      const alphaAt = (x: number, y: number) =>
        alpha[Math.round(y * info.height) * info.width + Math.round(x * info.width)];
      for (const x of [0.12, 0.25, 0.38]) expect(alphaAt(x, 0.5)).toBe(0);
      for (const [x, y] of [
        [0.8, 0.5],
        [0.25, 0.1],
        [0.25, 0.9],
        [0.02, 0.5],
      ] as const)
        expect(alphaAt(x, y)).toBe(255);
      const received = stack.emulator.stats().lastRequests.at(-1) as {
        prompt: string;
        files: { field: string; bytes: number }[];
      };
      expect(received.prompt).toBe('a blue door on the left');
      expect(received.files).toContainEqual({ field: 'mask', filename: 'mask.png', bytes: maskBytes.length });

      // The emulator repaints exactly the transparent pixels: the stroke changed, the rest did not.
      const result = page.getByRole('img', { name: 'Generated image 1' });
      const edited = Buffer.from(await (await fetch((await result.getAttribute('src')) ?? '')).arrayBuffer());
      const before = await sharp(source).resize(1024, 1024).removeAlpha().raw().toBuffer();
      const after = await sharp(edited).removeAlpha().raw().toBuffer();
      const pixel = (pixels: Buffer, x: number, y: number) => {
        const at = (Math.round(y * 1024) * 1024 + Math.round(x * 1024)) * 3;
        return [...pixels.subarray(at, at + 3)].join();
      };
      expect(pixel(after, 0.25, 0.5)).not.toBe(pixel(before, 0.25, 0.5));
      expect(pixel(after, 0.8, 0.5)).toBe(pixel(before, 0.8, 0.5));
      expect(pixel(after, 0.25, 0.1)).toBe(pixel(before, 0.25, 0.1));

      await page.getByRole('button', { name: 'Clear mask' }).click();
      await expect.poll(() => page.locator('.pg-snippets pre').textContent()).not.toContain('mask=@mask.png');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows only the controls the model supports, and a refused parameter as the API error naming it', async () => {
    const { page, context, problems } = await openPlayground();
    try {
      await page.getByLabel('Model').selectOption('gpt-image-2.6-sunburst');
      expect(await page.getByLabel('Transparent background').count()).toBe(1);
      expect(await page.getByLabel('Stream partial images').count()).toBe(1);
      await page.getByLabel('Model').selectOption('gemini-3-pro-image');
      expect(await page.getByLabel('Aspect ratio').count()).toBe(1);
      expect(await page.getByLabel('Resolution').count()).toBe(1);
      for (const absent of ['Quality', 'Transparent background', 'Stream partial images']) {
        expect(await page.getByLabel(absent).count()).toBe(0);
      }
      expect(await page.locator('select[name=size]').count()).toBe(0);

      await page.getByLabel('Model').selectOption('gpt-image-2');
      expect(await page.getByLabel('Transparent background').count()).toBe(0);
      await page.getByLabel('Prompt').fill('a wide banner');
      await page.getByLabel('Size', { exact: true }).selectOption('custom');
      await page.getByLabel('Custom size (W×H)').fill('4000x100');
      const refusal = page.locator('.pg-quote [role=alert]');
      await expect.poll(() => refusal.textContent()).toContain('param: size');

      await page.getByRole('button', { name: 'Generate' }).click();
      const failure = page.locator('.pg-result [role=alert]');
      await expect.poll(() => failure.textContent()).toContain('param: size');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
