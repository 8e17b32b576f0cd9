import { waitForSettlements } from '@imagegate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { gradientPng } from '../support/edit-images.ts';
import { callJson } from '../support/http.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let collector: OtlpReceiver;
let webhooks: WebhookReceiver;
let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  collector = await startOtlpReceiver();
  webhooks = await startWebhookReceiver();
  stack = await startTestStack({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' },
  });
  account = await stack.createAccount('tracing');
});
afterAll(async () => {
  await stack?.stop();
  await webhooks?.close();
  await collector?.close();
});

/** Waits until `predicate` holds of the spans received so far, flushing the exporter each time. */
async function spansUntil(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) {
    await stack.telemetry.tracing.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('OpenTelemetry with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  it('exports one trace for a job: request, hold, enqueue, worker attempt, upstream call, store, settlement, webhook', async () => {
    const response = await callJson<{ extra: { job_id: string } }>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'a lighthouse', webhook_url: webhooks.url },
    });
    expect(response.status).toBe(200);
    const jobId = response.body.extra.job_id;
    await waitForSettlements(stack.database.pool);
    await webhooks.waitFor(1);

    const expected = [
      'POST /v1/images/generations',
      'hold',
      'enqueue',
      'worker attempt',
      'upstream call',
      'store',
      'settlement',
      'webhook delivery',
    ];
    const hold = () =>
      collector.spans.find((span) => span.name === 'hold' && span.attributes['imagegate.job_id'] === jobId);
    const traceNames = () =>
      new Set(collector.spans.filter((span) => span.traceId === hold()?.traceId).map((span) => span.name));
    await spansUntil(() => expected.every((name) => traceNames().has(name)));

    const traceId = hold()?.traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect([...traceNames()].sort()).toEqual(expect.arrayContaining(expected.sort()));
    const trace = collector.spans.filter((span) => span.traceId === traceId);
    // One root (the request); every other span's parent is in the same trace.
    const ids = new Set(trace.map((span) => span.spanId));
    const roots = trace.filter((span) => span.parentSpanId === '');
    expect(roots.map((span) => span.name)).toEqual(['POST /v1/images/generations']);
    expect(trace.filter((span) => span.parentSpanId !== '' && !ids.has(span.parentSpanId))).toEqual([]);
    const byName = (name: string) => trace.find((span) => span.name === name);
    expect(byName('worker attempt')?.parentSpanId).toBe(byName('enqueue')?.spanId);
    expect(byName('upstream call')?.parentSpanId).toBe(byName('worker attempt')?.spanId);
    expect(byName('upstream call')?.attributes).toMatchObject({ 'imagegate.provider': 'openai' });
    expect(roots[0]?.serviceName).toBe('imagegate');
  });

  it.each(['json', 'multipart'])(
    'keeps an edit (%s body) in its request’s trace past the body parser: hold, enqueue and worker',
    async (encoding) => {
      // Large enough to arrive in many socket reads: the parser's callback then runs outside the request.
      const source = await gradientPng(1024, 1024);
      const fields = { model: 'gpt-image-2', prompt: `traced ${encoding} edit`, size: '1024x1024' };
      let jobId: string;
      if (encoding === 'json') {
        const response = await callJson<{ extra: { job_id: string } }>(`${stack.baseURL}/images/edits`, {
          apiKey: account.apiKey,
          body: { ...fields, images: [{ image_url: `data:image/png;base64,${source.toString('base64')}` }] },
        });
        expect(response.status).toBe(200);
        jobId = response.body.extra.job_id;
      } else {
        const form = new FormData();
        form.append('image', new Blob([source], { type: 'image/png' }), 'source.png');
        for (const [name, value] of Object.entries(fields)) form.append(name, value);
        const response = await fetch(`${stack.baseURL}/images/edits`, {
          method: 'POST',
          headers: { authorization: `Bearer ${account.apiKey}` },
          body: form,
        });
        expect(response.status).toBe(200);
        jobId = z.object({ extra: z.object({ job_id: z.string() }) }).parse(await response.json()).extra.job_id;
      }
      const hold = () =>
        collector.spans.find((span) => span.name === 'hold' && span.attributes['imagegate.job_id'] === jobId);
      const names = () =>
        new Set(collector.spans.filter((span) => span.traceId === hold()?.traceId).map((span) => span.name));
      const expected = ['POST /v1/images/edits', 'hold', 'enqueue', 'worker attempt', 'upstream call', 'store'];
      await spansUntil(() => expected.every((name) => names().has(name)));
      expect([...names()]).toEqual(expect.arrayContaining(expected));
    },
  );
});
