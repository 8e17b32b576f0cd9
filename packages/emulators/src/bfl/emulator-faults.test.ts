import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBflEmulator } from './emulator.ts';
import { startBflEmulator } from './emulator.ts';
import { poll, pollingUrl, pollUntilDone, submit } from './test-helpers.ts';

let emulator: RunningBflEmulator;

beforeAll(async () => {
  emulator = await startBflEmulator({ renderMs: 60 });
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

async function finalStatus(prompt: string): Promise<Record<string, unknown>> {
  const submitted = await submit(emulator, 'flux-2-pro', { prompt });
  expect(submitted.status).toBe(200);
  return (await pollUntilDone(pollingUrl(submitted), 20)).body;
}

describe('BFL faults while polling', () => {
  it('answers Request Moderated on the first poll when moderation is scripted', async () => {
    emulator.faults.enqueue({ type: 'moderation', categories: ['Derivative Works'] });
    const submitted = await submit(emulator, 'flux-2-pro', { prompt: 'x' });
    const reply = await poll(pollingUrl(submitted));
    expect(reply.body).toMatchObject({
      status: 'Request Moderated',
      result: null,
      details: { 'Moderation Reasons': ['Derivative Works'] },
    });
  });

  it('answers Content Moderated once rendered when output is filtered', async () => {
    const submitted = await submit(emulator, 'flux-2-pro', { prompt: '[emulate:filtered] x' });
    expect((await pollUntilDone(pollingUrl(submitted), 20)).body).toMatchObject({
      status: 'Content Moderated',
      result: null,
    });
  });

  it('answers Error with the scripted message when generation fails', async () => {
    emulator.faults.enqueue({ type: 'failed', message: 'GPU fell over' });
    expect(await finalStatus('x')).toMatchObject({ status: 'Error', details: { error: 'GPU fell over' } });
  });

  it('answers Error when partial=0 and Ready when partial=1', async () => {
    expect((await finalStatus('[emulate:partial=0] x')).status).toBe('Error');
    expect((await finalStatus('[emulate:partial=1] x')).status).toBe('Ready');
  });

  it('stays Pending forever when hang is scripted', async () => {
    emulator.faults.enqueue({ type: 'hang' });
    const submitted = await submit(emulator, 'flux-2-pro', { prompt: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    const reply = await poll(pollingUrl(submitted));
    expect(reply.body).toMatchObject({ status: 'Pending', progress: 0.99 });
  });
});

describe('BFL faults at submission', () => {
  it.each([
    [400, 'Bad Request'],
    [401, 'Not authenticated'],
    [403, 'Forbidden'],
    [404, 'Not Found'],
    [500, 'Internal Server Error'],
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
  ] as const)('answers %i with detail %s when that error is scripted', async (status, detail) => {
    emulator.faults.enqueue({ type: 'error', status });
    expect(await submit(emulator, 'flux-2-pro', { prompt: 'x' })).toMatchObject({ status, body: { detail } });
    expect(emulator.stats().tasks).toEqual({});
  });

  it('uses the scripted message as detail when one is given', async () => {
    emulator.faults.enqueue({ type: 'error', status: 503, message: 'Maintenance' });
    expect((await submit(emulator, 'flux-2-pro', { prompt: 'x' })).body).toEqual({ detail: 'Maintenance' });
  });

  it('answers 429 with retry-after when rate limited', async () => {
    const reply = await submit(emulator, 'flux-2-pro', { prompt: '[emulate:429:retry-after=4] x' });
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('4');
  });

  it('answers 402 when credits are exhausted', async () => {
    const reply = await submit(emulator, 'flux-2-pro', { prompt: '[emulate:insufficient_quota] x' });
    expect(reply).toMatchObject({ status: 402, body: { detail: expect.stringMatching(/Insufficient credits/) } });
  });

  it('delays the submit answer when a latency directive is present', async () => {
    const started = performance.now();
    expect((await submit(emulator, 'flux-2-pro', { prompt: '[emulate:latency=120] x' })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('answers 422 on the prompt when a directive is malformed', async () => {
    const reply = await submit(emulator, 'flux-2-pro', { prompt: '[emulate:explode] x' });
    expect(reply.status).toBe(422);
    expect(reply.body.detail).toEqual([
      expect.objectContaining({
        type: 'value_error',
        loc: ['body', 'prompt'],
        msg: 'Value error, unknown emulator directive: [emulate:explode]',
      }),
    ]);
  });

  it('keeps the scripted fault for the next valid call when a request is invalid', async () => {
    emulator.faults.enqueue({ type: 'error', status: 500 });
    expect((await submit(emulator, 'flux-2-pro', { prompt: 'x', width: 7 })).status).toBe(422);
    expect((await submit(emulator, 'flux-2-pro', { prompt: 'x' })).status).toBe(500);
  });
});

describe('BFL control API', () => {
  it('scripts faults and reports per-task stats when driven over HTTP', async () => {
    const configured = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ script: [{ type: 'filtered' }] }),
    });
    expect(((await configured.json()) as { pending: unknown[] }).pending).toEqual([{ type: 'filtered' }]);
    const submitted = await submit(emulator, 'flux-kontext-pro', { prompt: 'x' });
    await pollUntilDone(pollingUrl(submitted), 20);
    const stats = (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as {
      tasks: Record<string, { status: string }>;
    };
    expect(stats.tasks[String(submitted.body.id)]?.status).toBe('Content Moderated');
    await fetch(`${emulator.url}/__emulator/stats`, { method: 'DELETE' });
    expect(emulator.stats()).toMatchObject({ tasks: {}, pollsViaPollingUrl: 0, submit: { calls: 0 } });
  });
});
