import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createOpenAI } from '@ai-sdk/openai';
import { generateImage } from 'ai';
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientPng, leftHalfChanges, leftHalfMask } from '../support/edit-images.ts';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';
import { startWebhookReceiver, verifyWebhook } from '../support/webhook-receiver.ts';

/**
 * `POST /v1/images/edits` as real clients send it (the official `openai` SDK, the Vercel AI SDK,
 * curl -F, JSON), on every provider that edits: the mask reaches each upstream the right way round
 * (pixels outside it unchanged, inside it changed), inputs are priced, shown on the job and kept.
 */

let stack: TestStack;
let account: TestAccount;
let client: OpenAI;
let source: Buffer;
let mask: Buffer;

const EDGE = 512;

beforeAll(async () => {
  stack = await startTestStack({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  account = await stack.createAccount('edits', 20);
  client = new OpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL, maxRetries: 0 });
  [source, mask] = await Promise.all([gradientPng(EDGE, EDGE), leftHalfMask(EDGE, EDGE)]);
});
afterAll(async () => {
  await stack?.stop();
});

interface Edited {
  data: { b64_json?: string; url?: string }[];
  size: string;
  extra: { job_id: string; warnings: string[]; billing: { charged_usd: number } };
}

interface EditJob {
  id: string;
  status: string;
  operation: string;
  request: {
    images: { url: string; width: number; height: number; bytes: number; sha256: string; content_type: string }[];
    mask?: { url: string; width: number; height: number; bytes: number; sha256: string };
  };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const decoded = (item: { b64_json?: string } | undefined) => Buffer.from(item?.b64_json ?? '', 'base64');

/** A multipart edit sent with fetch's FormData (what the Vercel AI SDK and browsers do). */
async function postForm(fields: Record<string, string>, files: [string, Buffer, string][], headers = {}) {
  const form = new FormData();
  for (const [name, bytes, filename] of files) form.append(name, new Blob([bytes], { type: 'image/png' }), filename);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const response = await fetch(`${stack.baseURL}/images/edits`, {
    method: 'POST',
    headers: { authorization: `Bearer ${account.apiKey}`, ...headers },
    body: form,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Edited & ErrorEnvelope,
  };
}

const jobOf = async (id: string) =>
  (await callJson<EditJob>(`${stack.baseURL}/images/jobs/${id}`, { apiKey: account.apiKey })).body;

describe('POST /v1/images/edits with the official openai client', () => {
  it('edits one image with a mask: exactly the transparent half changes, and the job keeps the inputs', async () => {
    const result = await client.images.edit({
      model: 'gpt-image-2',
      image: await toFile(source, 'photo.png', { type: 'image/png' }),
      mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
      prompt: 'a red door on the left',
      size: '1024x1024',
    });
    const changes = await leftHalfChanges(
      await sharp(source).resize(1024, 1024).png().toBuffer(),
      decoded(result.data?.[0]),
    );
    expect(changes.size).toBe('1024x1024');
    expect(changes.changedOutside).toBe(0);
    expect(changes.changedInside).toBeGreaterThan(0.9 * changes.samplesInside);

    const extra = (result as unknown as Edited).extra;
    const job = await jobOf(extra.job_id);
    expect(job).toMatchObject({ status: 'succeeded', operation: 'edit' });
    expect(job.request.images).toEqual([
      expect.objectContaining({ width: EDGE, height: EDGE, bytes: source.length, sha256: sha256(source) }),
    ]);
    expect(job.request.mask).toMatchObject({ width: EDGE, height: EDGE, sha256: sha256(mask) });
    // The inputs are readable through the fresh presigned URLs, byte for byte.
    const fetched = Buffer.from(await (await fetch(job.request.images[0]?.url ?? '')).arrayBuffer());
    expect(sha256(fetched)).toBe(sha256(source));
    const keys = await stack.store.listKeys(`jobs/${extra.job_id}/inputs/`);
    expect(keys.sort()).toEqual([`jobs/${extra.job_id}/inputs/0.png`, `jobs/${extra.job_id}/inputs/mask.png`]);
  });

  it('edits three images into n=2 images answered as URLs', async () => {
    const others = await Promise.all([gradientPng(256, 384), gradientPng(640, 480)]);
    const result = await client.images.edit({
      model: 'gpt-image-2.6-flare',
      image: [
        await toFile(source, 'a.png', { type: 'image/png' }),
        await toFile(others[0] ?? source, 'b.png', { type: 'image/png' }),
        await toFile(others[1] ?? source, 'c.png', { type: 'image/png' }),
      ],
      prompt: 'put them in one picture',
      n: 2,
      response_format: 'url',
    });
    expect(result.data).toHaveLength(2);
    for (const item of result.data ?? []) {
      const bytes = Buffer.from(await (await fetch(item.url ?? '')).arrayBuffer());
      expect((await sharp(bytes).metadata()).format).toBe('png');
    }
    const job = await jobOf((result as unknown as Edited).extra.job_id);
    expect(job.request.images.map((image) => `${image.width}x${image.height}`)).toEqual([
      `${EDGE}x${EDGE}`,
      '256x384',
      '640x480',
    ]);
  });

  it('prices the input images: the same request with a larger image is held and charged more', async () => {
    const small = await gradientPng(256, 256);
    const large = await gradientPng(2048, 2048);
    const charged = async (image: Buffer) => {
      const result = await client.images.edit({
        model: 'gpt-image-2',
        image: await toFile(image, 'in.png', { type: 'image/png' }),
        prompt: 'same prompt',
        size: '1024x1024',
        quality: 'low',
      });
      return (result as unknown as Edited).extra.billing.charged_usd;
    };
    const [cheap, dear] = [await charged(small), await charged(large)];
    // n = 2 is one upstream call, which bills the input once: the two images share it.
    const two = await client.images.edit({
      model: 'gpt-image-2',
      image: await toFile(large, 'in.png', { type: 'image/png' }),
      prompt: 'same prompt',
      size: '1024x1024',
      quality: 'low',
      n: 2,
    });
    const inputUsd = ((765 * 8 + 4 * 5) * 1.5) / 1e6; // 765 image tokens at $8/M, "same prompt" ≈ 4 text tokens at $5/M
    expect((two as unknown as Edited).extra.billing.charged_usd).toBeCloseTo(2 * dear - inputUsd, 5);
    // OpenAI's rule: a 256² image is 1 tile (255 tokens), a 2048² one 4 tiles (765 tokens), at $8/M, × 1.5 markup.
    expect(dear - cheap).toBeCloseTo(((765 - 255) * 8 * 1.5) / 1e6, 6);
  });
});

describe('POST /v1/images/edits from other clients', () => {
  it('serves the Vercel AI SDK’s generateImage with prompt.images and prompt.mask', async () => {
    const openai = createOpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL });
    const { images } = await generateImage({
      model: openai.image('gpt-image-2'),
      prompt: { text: 'a blue window on the left', images: [source], mask },
      size: '1024x1024',
      maxRetries: 0,
    });
    expect(images).toHaveLength(1);
    const changes = await leftHalfChanges(
      await sharp(source).resize(1024, 1024).png().toBuffer(),
      Buffer.from(images[0]?.uint8Array ?? []),
    );
    expect(changes.changedOutside).toBe(0);
    expect(changes.changedInside).toBeGreaterThan(0.9 * changes.samplesInside);
  });

  it('serves curl -F with image[] parts and JSON-encoded extensions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edit-curl-'));
    try {
      await writeFile(join(dir, 'a.png'), source);
      await writeFile(join(dir, 'b.png'), await gradientPng(300, 200));
      const { stdout } = await promisify(execFile)('curl', [
        '-sS',
        `${stack.baseURL}/images/edits`,
        '-H',
        `Authorization: Bearer ${account.apiKey}`,
        '-F',
        `image[]=@${join(dir, 'a.png')}`,
        '-F',
        `image[]=@${join(dir, 'b.png')}`,
        '-F',
        'prompt=two into one',
        '-F',
        'model=gpt-image-2',
        '-F',
        'n=1',
        '-F',
        'quality=low',
        '-F',
        'metadata={"order":"42"}',
        '-F',
        'response_format=url',
      ]);
      const body = JSON.parse(stdout) as Edited;
      expect(body.data[0]?.url).toMatch(/^https?:\/\//);
      const job = await callJson<{ metadata: Record<string, string>; request: { images: unknown[] } }>(
        `${stack.baseURL}/images/jobs/${body.extra.job_id}`,
        { apiKey: account.apiKey },
      );
      expect(job.body.metadata).toEqual({ order: '42' });
      expect(job.body.request.images).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes JSON with data: URLs, answers 202 with Prefer: respond-async, and the job finishes', async () => {
    const accepted = await callJson<EditJob>(`${stack.baseURL}/images/edits`, {
      apiKey: account.apiKey,
      headers: { prefer: 'respond-async' },
      body: {
        model: 'gpt-image-2',
        prompt: 'json edit',
        images: [{ image_url: `data:image/png;base64,${source.toString('base64')}` }],
        mask: { image_url: `data:image/png;base64,${mask.toString('base64')}` },
        size: '1024x1024',
      },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/v1/images/jobs/${accepted.body.id}`);
    expect(accepted.body.operation).toBe('edit');
    const deadline = Date.now() + 20_000;
    let job = accepted.body;
    while (job.status !== 'succeeded' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = await jobOf(job.id);
    }
    expect(job.status).toBe('succeeded');
    expect(job.request.mask?.sha256).toBe(sha256(mask));
  });

  it('replays an Idempotency-Key whose images are the same, refuses one whose image differs, leaves no copy', async () => {
    const key = `edit-${Date.now()}`;
    const send = (image: Buffer) =>
      postForm({ prompt: 'same edit', model: 'gpt-image-2', quality: 'low' }, [['image', image, 'x.png']], {
        'idempotency-key': key,
      });
    const first = await send(source);
    expect(first.status).toBe(200);
    const again = await send(source);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.extra.job_id).toBe(first.body.extra.job_id);
    const other = await send(await gradientPng(EDGE, EDGE + 16));
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
    const { rows } = await stack.database.pool.query<{ id: string }>(
      'select id from jobs where account_id = $1 and idempotency_key = $2',
      [account.accountId, key],
    );
    expect(rows).toHaveLength(1);
    // Only the first request's inputs are stored: the replay's and the conflict's copies went.
    const jobIdsWithInputs = new Set(
      (await stack.store.listKeys('jobs/')).filter((k) => k.includes('/inputs/')).map((k) => k.split('/')[1]),
    );
    const { rows: edits } = await stack.database.pool.query<{ id: string }>(
      "select id from jobs where operation = 'edit'",
    );
    expect([...jobIdsWithInputs].sort()).toEqual(edits.map((row) => row.id).sort());
  });
});

describe('an edit with a webhook', () => {
  it('signs an event whose job shows operation edit and the inputs with fresh URLs', async () => {
    const hooks = await startWebhookReceiver();
    try {
      const result = await postForm(
        { prompt: 'hooked', model: 'gpt-image-2', quality: 'low', webhook_url: hooks.url },
        [['image', source, 'in.png']],
        { prefer: 'respond-async' },
      );
      expect(result.status).toBe(202);
      const [delivery] = await hooks.waitFor(1, 20_000);
      const event = verifyWebhook(account.webhookSecret, delivery ?? { headers: {}, body: '' });
      const job = event.data as unknown as EditJob;
      expect(job).toMatchObject({ status: 'succeeded', operation: 'edit' });
      expect(job.request.images[0]).toMatchObject({ width: EDGE, height: EDGE, sha256: sha256(source) });
      const fetched = Buffer.from(await (await fetch(job.request.images[0]?.url ?? '')).arrayBuffer());
      expect(sha256(fetched)).toBe(sha256(source));
    } finally {
      await hooks.close();
    }
  });
});

describe('edit fallbacks', () => {
  it('OpenAI down: FLUX.2 edits the same input, and a fallback that cannot edit is left out with a warning', async () => {
    stack.emulator.faults.enqueue(
      { type: 'error', status: 500 },
      { type: 'error', status: 500 },
      { type: 'error', status: 500 },
    );
    const result = await postForm(
      { prompt: 'restyle it', model: 'gpt-image-2', fallbacks: '["flux-pro-1.1","flux-2-pro"]' },
      [['image', source, 'in.png']],
    );
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.extra.warnings.join(' ')).toContain("Fallback 'flux-pro-1.1' was left out");
    expect(result.body.extra.warnings.join(' ')).toContain("Served by 'flux-2-pro'");
    const job = await callJson<{ model: string; routing: { attempts: { model: string; status: string }[] } }>(
      `${stack.baseURL}/images/jobs/${result.body.extra.job_id}`,
      { apiKey: account.apiKey },
    );
    expect(job.body.model).toBe('flux-2-pro');
    expect(job.body.routing.attempts.at(-1)).toMatchObject({ model: 'flux-2-pro', status: 'succeeded' });
    expect(stack.bfl.stats().submit.calls).toBeGreaterThan(0);
    expect(decoded(result.body.data[0]).length).toBeGreaterThan(0);
  });
});

describe('edits per provider: the mask the right way round, or a 400 where there is none', () => {
  it('FLUX.1 Fill gets a black/white mask: the transparent half is repainted, the rest kept', async () => {
    const result = await postForm({ prompt: 'a red door', model: 'flux-pro-1.0-fill', output_format: 'png' }, [
      ['image', source, 'photo.png'],
      ['mask', mask, 'mask.png'],
    ]);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const changes = await leftHalfChanges(source, decoded(result.body.data[0]));
    expect(changes.size).toBe(`${EDGE}x${EDGE}`);
    expect(changes.changedOutside).toBe(0);
    expect(changes.changedInside).toBeGreaterThan(0.9 * changes.samplesInside);
    // Fill's price is per image: $0.05 × 1.5.
    expect(result.body.extra.billing.charged_usd).toBeCloseTo(0.075, 6);
  });

  it.each([['gemini-3-pro-image'], ['flux-kontext-pro'], ['flux-2-pro']])(
    '%s takes no mask: 400 on mask, nothing held',
    async (model) => {
      const result = await postForm({ prompt: 'x', model }, [
        ['image', source, 'photo.png'],
        ['mask', mask, 'mask.png'],
      ]);
      expect(result.status).toBe(400);
      expect(result.body.error).toMatchObject({ param: 'mask', type: 'invalid_request_error' });
    },
  );

  it.each([
    ['gemini-3-pro-image', 2],
    ['flux-kontext-pro', 2],
    ['flux-2-pro', 3],
    ['flux-3-image', 2],
  ])('%s edits from %i reference images', async (model, count) => {
    const images = await Promise.all(Array.from({ length: count }, (_, i) => gradientPng(EDGE, EDGE + 32 * i)));
    const result = await postForm(
      { prompt: 'combine them', model },
      images.map((image, i): [string, Buffer, string] => ['image[]', image, `${i}.png`]),
    );
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(decoded(result.body.data[0]).length).toBeGreaterThan(0);
    expect((await jobOf(result.body.extra.job_id)).request.images).toHaveLength(count);
  });

  it('bills FLUX.2 input megapixels: a 1 MP input adds $0.015 × markup to the output price', async () => {
    const oneMegapixel = await gradientPng(1024, 1024);
    const result = await postForm({ prompt: 'restyle', model: 'flux-2-pro', size: '1024x1024' }, [
      ['image', oneMegapixel, 'in.png'],
    ]);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.extra.billing.charged_usd).toBeCloseTo((0.03 + 0.015) * 1.5, 6);
  });

  it('without a size, a model that cannot pick its own follows the first image’s shape', async () => {
    const wide = await gradientPng(1024, 576);
    const result = await postForm({ prompt: 'restyle', model: 'flux-kontext-pro' }, [['image', wide, 'in.png']]);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const job = await callJson<{ request: { size: string } }>(
      `${stack.baseURL}/images/jobs/${result.body.extra.job_id}`,
      { apiKey: account.apiKey },
    );
    const [width = 0, height = 1] = job.body.request.size.split('x').map(Number);
    expect(width / height).toBeCloseTo(16 / 9, 1);
  });

  it('refuses a model that cannot edit, naming models that can', async () => {
    const result = await postForm({ prompt: 'x', model: 'flux-pro-1.1' }, [['image', source, 'photo.png']]);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ param: 'model', code: 'model_not_supported' });
    expect(result.body.error.message).toContain('gpt-image-2');
  });

  it('refuses the edit-only Fill model on generations', async () => {
    const result = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'flux-pro-1.0-fill', prompt: 'x' },
    });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ param: 'model', code: 'model_not_supported' });
  });
});
