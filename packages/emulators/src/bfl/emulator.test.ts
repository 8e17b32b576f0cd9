import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBflEmulator } from './emulator.ts';
import { startBflEmulator } from './emulator.ts';
import { poll, pollingUrl, pollUntilDone, sampleUrl, submit } from './test-helpers.ts';

let emulator: RunningBflEmulator;
/** Renders for a minute, so tests can rely on tasks still being Pending however slow the machine. */
let slow: RunningBflEmulator;

beforeAll(async () => {
  [emulator, slow] = await Promise.all([startBflEmulator({ renderMs: 120 }), startBflEmulator({ renderMs: 60_000 })]);
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => Promise.all([emulator.close(), slow.close()]));

describe('BFL submit, poll and deliver', () => {
  it.concurrent.each([
    ['flux-2-pro', { prompt: 'a bakery', width: 1344, height: 768 }, 'jpeg', 1344, 768],
    ['flux-2-flex', { prompt: 'a sign', width: 512, height: 512, guidance: 4.5, steps: 20 }, 'jpeg', 512, 512],
    ['flux-2-max', { prompt: 'a bakery', output_format: 'webp' }, 'webp', 1024, 1024],
    ['flux-kontext-pro', { prompt: 'a cat', aspect_ratio: '16:9' }, 'png', 1376, 768],
    ['flux-kontext-max', { prompt: 'a cat' }, 'png', 1024, 1024],
    ['flux-pro-1.1', { prompt: 'a dog' }, 'jpeg', 1024, 768],
    ['flux-pro-1.1-ultra', { prompt: 'a dog', aspect_ratio: '21:9', output_format: 'png' }, 'png', 3136, 1344],
  ])(
    'delivers a %s image of the requested size and format when the task is Ready',
    async (model, body, format, width, height) => {
      const submitted = await submit(emulator, model, body);
      expect(submitted.status).toBe(200);
      expect(submitted.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        polling_url: expect.any(String),
        cost: expect.any(Number),
        input_mp: 0,
        output_mp: Math.round((width * height) / 10_000) / 100,
      });
      const ready = await pollUntilDone(pollingUrl(submitted));
      expect(ready.body).toMatchObject({
        id: submitted.body.id,
        status: 'Ready',
        result: { prompt: body.prompt, seed: expect.any(Number) },
      });
      const image = await fetch(sampleUrl(ready));
      expect(image.headers.get('content-type')).toBe(`image/${format}`);
      const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      expect(meta).toMatchObject({ format, width, height });
    },
  );

  it('points polling_url at a regional path when a task is submitted', async () => {
    const submitted = await submit(emulator, 'flux-2-pro', { prompt: 'x' });
    const url = new URL(pollingUrl(submitted));
    expect(url.pathname).toBe('/us3/v1/get_result');
    expect(url.searchParams.get('id')).toBe(submitted.body.id);
  });

  it('reports Pending with progress below 1 when the render time has not passed', async () => {
    const submitted = await submit(slow, 'flux-2-pro', { prompt: 'slow' });
    const first = await poll(pollingUrl(submitted));
    expect(first.body).toEqual({
      id: submitted.body.id,
      status: 'Pending',
      result: null,
      progress: expect.any(Number),
      details: null,
      preview: null,
    });
    expect(first.body.progress).toBeLessThan(0.1);
  });

  it('counts polls per task and per path when both polling paths are used', async () => {
    slow.resetStats();
    const submitted = await submit(slow, 'flux-2-pro', { prompt: 'x' });
    const id = String(submitted.body.id);
    await poll(pollingUrl(submitted));
    await poll(`${slow.url}/v1/get_result?id=${id}`);
    const stats = slow.stats();
    expect(stats.submit).toMatchObject({ calls: 1, byStatus: { '200': 1 } });
    expect(stats.poll.calls).toBe(2);
    expect(stats.pollsViaPollingUrl).toBe(1);
    expect(stats.tasks[id]).toMatchObject({ model: 'flux-2-pro', status: 'Pending', polls: 2 });
    expect(stats.tasks[id]?.pollTimes).toHaveLength(2);
    expect(stats.submit.lastRequests).toEqual([{ prompt: 'x' }]);
  });

  it('answers status Task not found with HTTP 200 when the id is unknown', async () => {
    const reply = await poll(`${emulator.url}/v1/get_result?id=00000000-0000-0000-0000-000000000000`);
    expect(reply).toMatchObject({
      status: 200,
      body: { id: '00000000-0000-0000-0000-000000000000', status: 'Task not found', result: null },
    });
  });

  it('answers a FastAPI 422 when the id query parameter is missing', async () => {
    const reply = await poll(`${emulator.url}/v1/get_result`);
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({
      detail: [{ type: 'missing', loc: ['query', 'id'], msg: 'Field required', input: null }],
    });
  });

  it('reports input_mp and charges more when FLUX.2 gets an input image and more megapixels', async () => {
    const big = await submit(emulator, 'flux-2-pro', {
      prompt: 'x',
      width: 2048,
      height: 2048,
      input_image: 'aGVsbG8=',
    });
    const small = await submit(emulator, 'flux-2-pro', { prompt: 'x', width: 1024, height: 1024 });
    expect(big.body.input_mp).toBe(1);
    expect(Number(big.body.cost)).toBeGreaterThan(Number(small.body.cost));
  });
});

describe('BFL delivery URLs', () => {
  it('serve the image, then answer 403 AuthenticationFailed when resultTtlMs has passed', async () => {
    const shortLived = await startBflEmulator({ renderMs: 0, resultTtlMs: 1000 });
    try {
      const ready = await pollUntilDone(pollingUrl(await submit(shortLived, 'flux-2-pro', { prompt: 'x' })));
      const url = sampleUrl(ready);
      expect(url).toMatch(/\/delivery\/[0-9a-f-]{36}\.jpeg\?sig=[\w-]+&exp=\d+$/);
      expect((await fetch(url)).status).toBe(200);
      // Wait exactly until the link's own expiry, however long the steps above took.
      const exp = Number(new URL(url).searchParams.get('exp'));
      expect(exp - Date.now()).toBeLessThanOrEqual(1000);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp - Date.now()) + 20));
      const expired = await fetch(url);
      expect(expired.status).toBe(403);
      expect(expired.headers.get('content-type')).toBe('application/xml');
      expect(await expired.text()).toMatch(/<Code>AuthenticationFailed<\/Code>.*Signed expiry time/);
      expect(shortLived.stats().delivery.byStatus).toEqual({ '200': 1, '403': 1 });
    } finally {
      await shortLived.close();
    }
  });

  it('answers 403 when the signature or expiry is tampered with and 404 for unknown blobs', async () => {
    const ready = await pollUntilDone(pollingUrl(await submit(emulator, 'flux-2-pro', { prompt: 'x' })));
    const url = new URL(sampleUrl(ready));
    const later = new URL(url);
    later.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 60_000));
    expect((await fetch(later)).status).toBe(403);
    const forged = new URL(url);
    forged.searchParams.set('sig', 'A'.repeat(43));
    expect((await fetch(forged)).status).toBe(403);
    const unknown = await fetch(`${emulator.url}/delivery/nothing.png`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('<Code>BlobNotFound</Code>');
  });
});
