import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientPng } from '../support/edit-images.ts';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * `stream: true` on the Images API, read by the official `openai` client's stream iterator exactly
 * as it reads OpenAI: partial images while the job renders, then the completed images.
 */

let stack: TestStack;
let account: TestAccount;
let client: OpenAI;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('streams', 20);
  client = new OpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL, maxRetries: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

const decodedSize = async (b64: string) => {
  const meta = await sharp(Buffer.from(b64, 'base64')).metadata();
  return `${meta.width}x${meta.height}`;
};

describe('streaming partial images', () => {
  it('streams 2 partials within the render, then the completed image, through images.generate', async () => {
    const started = Date.now();
    const stream = await client.images.generate({
      model: 'gpt-image-2',
      prompt: 'a lighthouse [emulate:latency=6000]',
      size: '1024x1024',
      quality: 'low',
      stream: true,
      partial_images: 2,
    });
    const events: { type: string; at: number; size: string; index?: number; jobId?: string }[] = [];
    for await (const event of stream) {
      events.push({
        type: event.type,
        at: Date.now() - started,
        size: await decodedSize(event.b64_json),
        ...(event.type === 'image_generation.partial_image' ? { index: event.partial_image_index } : {}),
        ...(event.type === 'image_generation.completed'
          ? { jobId: (event as unknown as { extra: { job_id: string } }).extra.job_id }
          : {}),
      });
    }
    expect(events.map((event) => event.type)).toEqual([
      'image_generation.partial_image',
      'image_generation.partial_image',
      'image_generation.completed',
    ]);
    expect(events.map((event) => event.index)).toEqual([0, 1, undefined]);
    expect(events.every((event) => event.size === '1024x1024')).toBe(true);
    // The emulator sends a partial every 2 s of a 6 s render: the first is here within 2.5 s.
    expect(events[0]?.at).toBeLessThan(2_500);
    const jobId = events.at(-1)?.jobId ?? '';
    const job = await callJson<{ status: string; billing: { charged_usd: number } }>(
      `${stack.baseURL}/images/jobs/${jobId}`,
      { apiKey: account.apiKey },
    );
    expect(job.body.status).toBe('succeeded');
  }, 30_000);

  it('streams an edit through images.edit', async () => {
    const stream = await client.images.edit({
      model: 'gpt-image-2',
      image: await toFile(await gradientPng(256, 256), 'in.png', { type: 'image/png' }),
      prompt: 'dusk',
      size: '1024x1024',
      quality: 'low',
      stream: true,
      partial_images: 1,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['image_edit.partial_image', 'image_edit.completed']);
  }, 30_000);

  it.each([['flux-2-pro'], ['gemini-3-pro-image']])(
    '%s streams completed events only, one per image',
    async (model) => {
      const stream = await client.images.generate({ model, prompt: 'a boat', n: 2, stream: true, partial_images: 2 });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      expect(types).toEqual(['image_generation.completed', 'image_generation.completed']);
    },
    30_000,
  );

  it('passes BFL’s progress on as comments while a FLUX image renders', async () => {
    const response = await fetch(`${stack.baseURL}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'flux-2-pro', prompt: 'slow flux [emulate:latency=2500]', stream: true }),
    });
    const text = await response.text();
    expect(text).toMatch(/^: image 1: \d+% rendered$/m);
    expect(text).toContain('event: image_generation.completed');
  }, 30_000);

  it('ends a streamed job canceled after one of its images went out with that image, charged for it alone', async () => {
    stack.bfl.faults.enqueue({ type: 'hang' });
    const response = await fetch(`${stack.baseURL}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'flux-2-pro', prompt: 'one of two', n: 2, size: '1024x1024', stream: true }),
    });
    const jobId = response.headers.get('x-imagegate-job-id') ?? '';
    const reader = response.body?.getReader();
    let text = '';
    while (!text.includes('event: image_generation.completed')) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    const canceled = await callJson(`${stack.baseURL}/images/jobs/${jobId}/cancel`, {
      apiKey: account.apiKey,
      body: {},
    });
    expect(canceled.status).toBe(200);
    await reader?.cancel();
    const deadline = Date.now() + 15_000;
    let job = { status: '', billing: { charged_usd: 0, unit_price_usd: 0 }, result: { data: [] as unknown[] } };
    while (Date.now() < deadline) {
      job = (await callJson<typeof job>(`${stack.baseURL}/images/jobs/${jobId}`, { apiKey: account.apiKey })).body;
      if (job.status !== 'in_progress' && job.status !== 'queued' && job.billing.charged_usd > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(job.status).toBe('succeeded');
    expect(job.result.data).toHaveLength(1);
    expect(job.billing.charged_usd).toBeCloseTo(job.billing.unit_price_usd, 6);
  }, 30_000);

  it('quotes and charges the partials OpenAI bills: 100 output tokens each', async () => {
    const charged = async (partials: number) => {
      const stream = await client.images.generate({
        model: 'gpt-image-2',
        prompt: 'same prompt',
        size: '1024x1024',
        quality: 'low',
        stream: true,
        partial_images: partials,
      });
      let jobId = '';
      for await (const event of stream) {
        if (event.type === 'image_generation.completed') {
          jobId = (event as unknown as { extra: { job_id: string } }).extra.job_id;
        }
      }
      const job = await callJson<{ billing: { charged_usd: number; held_usd: number } }>(
        `${stack.baseURL}/images/jobs/${jobId}`,
        { apiKey: account.apiKey },
      );
      return job.body.billing;
    };
    const [none, three] = [await charged(0), await charged(3)];
    // 300 tokens at $30/M, × 1.5 markup.
    expect(three.held_usd - none.held_usd).toBeCloseTo((300 * 30 * 1.5) / 1e6, 6);
  }, 30_000);

  it('ends with an error event the SDK throws when the job fails after the stream began', async () => {
    const stream = await client.images.generate({
      model: 'gpt-image-2',
      prompt: 'refused [emulate:moderation]',
      stream: true,
      partial_images: 1,
    });
    const read = async () => {
      for await (const _event of stream) {
        // nothing arrives before the error
      }
    };
    await expect(read()).rejects.toMatchObject({ code: 'moderation_blocked' });
  }, 30_000);

  it('sends keep-alive comments while nothing else comes, and the job id in a header', async () => {
    await stack.restartIngress({ SSE_KEEPALIVE_MS: '200' });
    const response = await fetch(`${stack.baseURL}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-image-2', prompt: 'slow [emulate:latency=1500]', stream: true }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const jobId = response.headers.get('x-imagegate-job-id') ?? '';
    expect(jobId).toMatch(/^job_/);
    const text = await response.text();
    expect(text.match(/^: keep-alive$/gm)?.length ?? 0).toBeGreaterThanOrEqual(4);
    expect(text).toContain('event: image_generation.completed');
    await stack.restartIngress({});
  }, 30_000);

  it('keeps the job going when the client leaves: it finishes and is charged once', async () => {
    const controller = new AbortController();
    const response = await fetch(`${stack.baseURL}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-image-2', prompt: 'left early [emulate:latency=1500]', stream: true }),
      signal: controller.signal,
    });
    const jobId = response.headers.get('x-imagegate-job-id') ?? '';
    controller.abort();
    const deadline = Date.now() + 15_000;
    let job = { status: '', billing: { charged_usd: 0 } };
    while (Date.now() < deadline) {
      job = (await callJson<typeof job>(`${stack.baseURL}/images/jobs/${jobId}`, { apiKey: account.apiKey })).body;
      if (job.status === 'succeeded' && job.billing.charged_usd > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(job.status).toBe('succeeded');
    expect(job.billing.charged_usd).toBeGreaterThan(0);
  }, 30_000);

  it('replays an Idempotency-Key: while running it joins the stream, once ended it gets the completed event', async () => {
    const key = `stream-${Date.now()}`;
    const body = JSON.stringify({
      model: 'gpt-image-2',
      prompt: 'twice [emulate:latency=2000]',
      stream: true,
      partial_images: 1,
    });
    const send = () =>
      fetch(`${stack.baseURL}/images/generations`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${account.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body,
      });
    const first = await send();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const joined = await send();
    expect(joined.headers.get('x-imagegate-job-id')).toBe(first.headers.get('x-imagegate-job-id'));
    const [firstText, joinedText] = await Promise.all([first.text(), joined.text()]);
    for (const text of [firstText, joinedText]) {
      expect(text).toContain('event: image_generation.partial_image');
      expect(text).toContain('event: image_generation.completed');
    }
    const after = await (await send()).text();
    expect(after).not.toContain('partial_image');
    expect(after.match(/event: image_generation.completed/g)).toHaveLength(1);
  }, 30_000);

  it.each([
    [{ partial_images: 4 }, {}, 'partial_images'],
    [{ output_format: 'gif' }, {}, 'stream'],
    [{}, { prefer: 'respond-async' }, 'stream'],
  ])('refuses %j %j with a 400 on %s', async (fields, headers, param) => {
    const refused = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      headers,
      body: { model: 'gpt-image-2.6-flare', prompt: 'x', stream: true, ...fields },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.param).toBe(param);
  });
});
