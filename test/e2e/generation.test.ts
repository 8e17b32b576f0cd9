import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope, pollJob } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let account: TestAccount;
let client: OpenAI;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('generation');
  client = new OpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL, maxRetries: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

interface Extra {
  extra?: { job_id?: string; model?: string; routing?: { attempts: { provider: string; status: string }[] } };
}

describe('POST /v1/images/generations (synchronous)', () => {
  it('returns a PNG of the requested size as b64_json to the official openai client', async () => {
    const result = await client.images.generate({ model: 'gpt-image-2', prompt: 'a red cube', size: '1536x1024' });
    expect(result.data).toHaveLength(1);
    const bytes = Buffer.from(result.data?.[0]?.b64_json ?? '', 'base64');
    const metadata = await sharp(bytes).metadata();
    expect(metadata.format).toBe('png');
    expect([metadata.width, metadata.height]).toEqual([1536, 1024]);
    expect(result.size).toBe('1536x1024');
    const extra = (result as unknown as Extra).extra;
    expect(extra?.job_id).toMatch(/^job_/);
    expect(extra?.model).toBe('gpt-image-2');
    expect(extra?.routing?.attempts).toEqual([expect.objectContaining({ provider: 'openai', status: 'succeeded' })]);
  });

  it('resolves the owner/model form and makes n images of a custom gpt-image-2 size', async () => {
    const result = await client.images.generate({
      model: 'openai/gpt-image-2',
      prompt: 'three dots',
      n: 3,
      size: '1536x864',
    });
    expect(result.data).toHaveLength(3);
    for (const image of result.data ?? []) {
      const metadata = await sharp(Buffer.from(image.b64_json ?? '', 'base64')).metadata();
      expect([metadata.width, metadata.height]).toEqual([1536, 864]);
    }
  });

  it('keeps transparency and format when asked for a transparent webp', async () => {
    const result = await client.images.generate({
      model: 'gpt-image-2.6-flare',
      prompt: 'a sticker',
      background: 'transparent',
      output_format: 'webp',
    });
    const metadata = await sharp(Buffer.from(result.data?.[0]?.b64_json ?? '', 'base64')).metadata();
    expect(metadata.format).toBe('webp');
    expect(metadata.hasAlpha).toBe(true);
    expect(result.background).toBe('transparent');
  });

  it('returns a presigned URL that serves the image when response_format is url', async () => {
    const result = await client.images.generate({
      model: 'gpt-image-2',
      prompt: 'a blue cube',
      response_format: 'url',
    });
    const url = result.data?.[0]?.url ?? '';
    expect(url).toMatch(/X-Amz-Expires=3600/);
    const image = await fetch(url);
    expect(image.status).toBe(200);
    const metadata = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', 1024, 1024]);
  });

  it('answers from what the success recorded: the same body as the job read back, but for fresh URLs and money', async () => {
    const answer = await callJson<{ data: { url: string }[]; extra: { job_id: string; billing: unknown } }>(
      `${stack.url}/v1/images/generations`,
      { apiKey: account.apiKey, body: { model: 'gpt-image-2.6-flare', prompt: 'as recorded', response_format: 'url' } },
    );
    expect(answer.status).toBe(200);
    const job = await pollJob(stack.url, account.apiKey, answer.body.extra.job_id);
    const recorded = job.result as typeof answer.body;
    const withoutFreshParts = ({ data, extra: { billing, ...extra }, ...rest }: typeof answer.body) => ({
      images: data.length,
      ...rest,
      extra,
    });
    expect(withoutFreshParts(answer.body)).toEqual(withoutFreshParts(recorded));
    expect(answer.body.data).toHaveLength(1);
    expect((await fetch(answer.body.data[0]?.url ?? '')).status).toBe(200);
  });

  it('streams a large b64_json body that decodes to the stored bytes', async () => {
    const raw = await callJson<{ data: { b64_json: string }[]; extra: { job_id: string } }>(
      `${stack.url}/v1/images/generations`,
      { apiKey: account.apiKey, body: { model: 'gpt-image-2', prompt: 'big', size: '2048x2048', n: 2 } },
    );
    expect(raw.status).toBe(200);
    const stored = await stack.store.getObjectStream(`jobs/${raw.body.extra.job_id}/1.png`);
    const chunks: Buffer[] = [];
    for await (const chunk of stored.stream) chunks.push(chunk as Buffer);
    expect(Buffer.from(raw.body.data[1]?.b64_json ?? '', 'base64').equals(Buffer.concat(chunks))).toBe(true);
  });

  it('answers 400 moderation_blocked when the upstream refuses the prompt, and records it on the job', async () => {
    const response = await callJson<ErrorEnvelope>(`${stack.url}/v1/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2', prompt: 'something [emulate:moderation]' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'moderation_blocked' });
    const list = await callJson<{ data: { status: string; error: { code: string } | null }[] }>(
      `${stack.url}/v1/images/jobs?limit=1`,
      { apiKey: account.apiKey },
    );
    expect(list.body.data[0]).toMatchObject({ status: 'failed', error: { code: 'moderation_blocked' } });
  });

  it('retries an upstream 500 and succeeds on the next attempt', async () => {
    stack.emulator.faults.enqueue({ type: 'error', status: 500 });
    const before = stack.emulator.stats().calls;
    const result = await client.images.generate({ model: 'gpt-image-2.6-flare', prompt: 'retry me' });
    expect(result.data).toHaveLength(1);
    expect(stack.emulator.stats().calls - before).toBe(2);
    const extra = (result as unknown as Extra).extra;
    expect(extra?.routing?.attempts.map((attempt) => attempt.status)).toEqual(['failed', 'succeeded']);
  });
  it('answers 502 with every attempt recorded when the upstream keeps failing', async () => {
    stack.emulator.faults.enqueue(
      { type: 'error', status: 500 },
      { type: 'error', status: 503 },
      { type: 'error', status: 500 },
    );
    const response = await callJson<ErrorEnvelope & { extra?: unknown }>(`${stack.url}/v1/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'never works' },
    });
    expect(response.status).toBe(502);
    expect(response.body.error).toMatchObject({ type: 'upstream_error', code: 'upstream_error' });
    const list = await callJson<{ data: { status: string; routing: { attempts: { status: string }[] } }[] }>(
      `${stack.url}/v1/images/jobs?limit=1`,
      { apiKey: account.apiKey },
    );
    expect(list.body.data[0]?.status).toBe('failed');
    expect(list.body.data[0]?.routing.attempts.map((attempt) => attempt.status)).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
  });
});

describe('Prefer header', () => {
  it('answers 202 with the job and Location at once for respond-async, and the job succeeds', async () => {
    const response = await callJson<{ id: string; status: string; object: string }>(
      `${stack.url}/v1/images/generations`,
      {
        apiKey: account.apiKey,
        body: { model: 'gpt-image-2', prompt: 'later [emulate:latency=300]', metadata: { order: '42' } },
        headers: { prefer: 'respond-async' },
      },
    );
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/v1/images/jobs/${response.body.id}`);
    expect(response.headers.get('preference-applied')).toBe('respond-async');
    expect(response.body).toMatchObject({ object: 'image.job', status: 'queued' });
    const job = await pollJob(stack.url, account.apiKey, response.body.id);
    expect(job).toMatchObject({ status: 'succeeded', metadata: { order: '42' } });
    const result = job.result as { data: { url: string }[] };
    expect((await fetch(result.data[0]?.url ?? '')).status).toBe(200);
  });

  it('waits about N seconds for wait=N, then answers 202 with the running job', async () => {
    const started = Date.now();
    const response = await callJson<{ id: string; status: string }>(`${stack.url}/v1/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2', prompt: 'slow [emulate:latency=4000]' },
      headers: { prefer: 'wait=1' },
    });
    const elapsed = Date.now() - started;
    expect(response.status).toBe(202);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3_000);
    expect(['queued', 'in_progress']).toContain(response.body.status);
    expect((await pollJob(stack.url, account.apiKey, response.body.id)).status).toBe('succeeded');
  });

  it('answers 200 within wait=N when the job finishes in time', async () => {
    const response = await callJson<{ data: unknown[] }>(`${stack.url}/v1/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2', prompt: 'quick', response_format: 'url' },
      headers: { prefer: 'wait=10' },
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(1);
  });
});

describe('GET /v1/images/jobs/{id}', () => {
  it('presigns fresh URLs on every read', async () => {
    const accepted = await callJson<{ id: string }>(`${stack.url}/v1/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2.6-flare', prompt: 'fresh urls' },
      headers: { prefer: 'respond-async' },
    });
    const first = (await pollJob(stack.url, account.apiKey, accepted.body.id)).result as { data: { url: string }[] };
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = (await pollJob(stack.url, account.apiKey, accepted.body.id)).result as { data: { url: string }[] };
    expect(second.data[0]?.url).not.toBe(first.data[0]?.url);
  });

  it('lists jobs newest first with cursor pagination', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const accepted = await callJson<{ id: string }>(`${stack.url}/v1/images/generations`, {
        apiKey: account.apiKey,
        body: { model: 'gpt-image-2.6-flare', prompt: `list ${index}` },
        headers: { prefer: 'respond-async' },
      });
      ids.push(accepted.body.id);
    }
    const page1 = await callJson<{ data: { id: string }[]; has_more: boolean; last_id: string }>(
      `${stack.url}/v1/images/jobs?limit=2`,
      { apiKey: account.apiKey },
    );
    expect(page1.body.data.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.has_more).toBe(true);
    const page2 = await callJson<{ data: { id: string }[] }>(
      `${stack.url}/v1/images/jobs?limit=1&after=${page1.body.last_id}`,
      { apiKey: account.apiKey },
    );
    expect(page2.body.data.map((job) => job.id)).toEqual([ids[0]]);
  });
});

describe('POST /v1/images/jobs/{id}/cancel', () => {
  it('stops a running job: it ends canceled and the waiting client hears so', async () => {
    const accepted = await callJson<{ id: string }>(`${stack.url}/v1/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gpt-image-2', prompt: 'forever [emulate:hang]' },
      headers: { prefer: 'respond-async' },
    });
    const id = accepted.body.id;
    const deadline = Date.now() + 5_000;
    while ((await pollJob(stack.url, account.apiKey, id, 0)).status !== 'in_progress' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const canceled = await callJson(`${stack.url}/v1/images/jobs/${id}/cancel`, {
      apiKey: account.apiKey,
      method: 'POST',
    });
    expect(canceled.status).toBe(200);
    const job = await pollJob(stack.url, account.apiKey, id, 10_000);
    expect(job).toMatchObject({ status: 'canceled', error: { code: 'canceled' } });
  });
});
