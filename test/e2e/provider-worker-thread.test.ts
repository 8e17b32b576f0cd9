/**
 * The provider worker in a thread of the ingress's process, as `./imagegate.sh start` runs it:
 * jobs go through it exactly as through a worker in the same loop or another process, the
 * process's `/metrics` shows the thread's counters, and closing it lets the job in hand finish.
 */
import { startProviderWorkerThread } from '@imagegate/provider-worker';
import { findMoneyViolations, waitForSettlements } from '@imagegate/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, pollJob } from '../support/http.ts';
import { sampleValue } from '../support/prometheus-text.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack({ providerWorker: false });
  account = await stack.createAccount('thread');
});
afterAll(async () => {
  await stack?.stop();
});

const MODEL = 'gpt-image-2.6-flare';
const scrape = async () => (await fetch(`${stack.url}/metrics`)).text();

describe('the provider worker in a thread', () => {
  it('serves sync generations in both response formats, and its metrics join the process’s', async () => {
    const thread = await startProviderWorkerThread(stack.env, { metrics: stack.telemetry.metrics });
    try {
      const client = new OpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL });
      const inline = await client.images.generate({
        model: MODEL,
        prompt: 'a lighthouse',
        response_format: 'b64_json',
      });
      const png = Buffer.from(inline.data?.[0]?.b64_json ?? '', 'base64');
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      const linked = await client.images.generate({ model: MODEL, prompt: 'a harbour', response_format: 'url' });
      const fetched = await fetch(linked.data?.[0]?.url ?? '');
      expect(fetched.status).toBe(200);

      const text = await scrape();
      // Counted in the thread, shown by the ingress; the process's own metrics appear once.
      expect(
        sampleValue(text, 'imagegate_upstream_calls_total', { provider: 'openai', model: MODEL, status: 'ok' }),
      ).toBe(2);
      expect(
        sampleValue(text, 'imagegate_http_requests_total', { route: '/v1/images/generations', status: '200' }),
      ).toBe(2);
      const families = text.split('\n').filter((line) => line.startsWith('# TYPE '));
      expect(new Set(families).size).toBe(families.length);
      expect(families).toContain('# TYPE process_cpu_seconds_total counter');
    } finally {
      await thread.close();
    }
    // Closed: the thread's counters are gone from the scrape with it.
    expect(sampleValue(await scrape(), 'imagegate_upstream_calls_total', { provider: 'openai' })).toBe(0);
  });

  it('finishes the job in hand when closed, charged once', async () => {
    const thread = await startProviderWorkerThread(stack.env, { metrics: stack.telemetry.metrics });
    const submitted = await callJson<{ id: string }>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      headers: { prefer: 'respond-async' },
      body: { model: MODEL, prompt: 'a slow one [emulate:latency=1500]' },
    });
    expect(submitted.status).toBe(202);
    // Closing while the upstream call is in flight: BullMQ's close waits for the job in hand.
    await waitUntil(
      async () => (await pollJob(stack.url, account.apiKey, submitted.body.id, 0)).status === 'in_progress',
    );
    await thread.close();
    const ended = await pollJob(stack.url, account.apiKey, submitted.body.id, 5_000);
    expect(ended.status).toBe('succeeded');
    await waitForSettlements(stack.database.pool);
    expect(await findMoneyViolations(stack.database.pool)).toEqual([]);
  });

  it('refuses to start, with the worker’s own reason, when it has nothing to serve', async () => {
    await expect(startProviderWorkerThread({ ...stack.env, WORKER_PROVIDERS: 'nobody' })).rejects.toThrow(
      /No provider to serve/,
    );
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
