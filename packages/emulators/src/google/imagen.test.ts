import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGoogleEmulator } from './emulator.ts';
import { startGoogleEmulator } from './emulator.ts';
import type { JsonReply } from './test-helpers.ts';
import { decode, list, postJson, vertexUrl } from './test-helpers.ts';

let emulator: RunningGoogleEmulator;
let token: string;

beforeAll(async () => {
  emulator = await startGoogleEmulator();
  token = emulator.issueAccessToken();
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

function predict(body: unknown, model = 'imagen-4.0-generate-001'): Promise<JsonReply> {
  return postJson(vertexUrl(emulator, model, 'predict'), body, { authorization: `Bearer ${token}` });
}

function prompt(text: string, parameters: Record<string, unknown> = {}): unknown {
  return { instances: [{ prompt: text }], parameters: { sampleCount: 1, ...parameters } };
}

describe('Vertex Imagen :predict', () => {
  it.each([
    ['imagen-4.0-generate-001', '1:1', '1K', 1024, 1024],
    ['imagen-4.0-generate-001', '16:9', '1K', 1408, 768],
    ['imagen-4.0-fast-generate-001', '9:16', '1K', 768, 1408],
    ['imagen-4.0-generate-001', '3:4', '2K', 1792, 2560],
    ['imagen-4.0-ultra-generate-001', '16:9', '2k', 2816, 1536],
  ])(
    'returns a %s PNG of the table size when aspectRatio is %s at %s',
    async (model, aspectRatio, size, width, height) => {
      const reply = await predict(prompt('a lighthouse', { aspectRatio, sampleImageSize: size }), model);
      expect(reply.status).toBe(200);
      const predictions = list(reply.body.predictions);
      expect(predictions).toHaveLength(1);
      expect(predictions[0]?.mimeType).toBe('image/png');
      expect(await decode(predictions[0]?.bytesBase64Encoded)).toMatchObject({ format: 'png', width, height });
    },
  );

  it('returns four distinct images when sampleCount is omitted', async () => {
    const reply = await predict({ instances: [{ prompt: 'four foxes' }] });
    const images = list(reply.body.predictions).map((p) => p.bytesBase64Encoded);
    expect(images).toHaveLength(4);
    expect(new Set(images).size).toBe(4);
  });

  it('encodes JPEG and echoes the prompt when outputOptions and enhancePrompt ask for it', async () => {
    const reply = await predict(
      prompt('a red barn', { outputOptions: { mimeType: 'image/jpeg', compressionQuality: 60 }, enhancePrompt: true }),
    );
    const [prediction] = list(reply.body.predictions);
    expect(prediction).toMatchObject({ mimeType: 'image/jpeg', prompt: 'a red barn' });
    expect(await decode(prediction?.bytesBase64Encoded)).toMatchObject({ format: 'jpeg', width: 1024, height: 1024 });
  });

  it('answers on the v1beta1 path and counts only the predict kind when the Gen AI SDK default version is used', async () => {
    const url = vertexUrl(emulator, 'imagen-4.0-fast-generate-001', 'predict', {
      version: 'v1beta1',
      location: 'global',
    });
    const reply = await postJson(url, prompt('x'), { authorization: `Bearer ${token}` });
    expect(reply.status).toBe(200);
    const stats = emulator.stats();
    expect(stats.predict).toMatchObject({ calls: 1, byStatus: { '200': 1 }, inFlight: 0 });
    expect(stats.predict.lastRequests).toEqual([prompt('x')]);
    expect(stats.vertexGenerateContent.calls).toBe(0);
  });
});

describe('Vertex Imagen faults', () => {
  it('answers a prompt-level 400 INVALID_ARGUMENT with support codes when moderation is scripted', async () => {
    emulator.faults.enqueue({ type: 'moderation' });
    const reply = await predict(prompt('a cat'));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(reply.body.error?.message).toMatch(
      /^Image generation failed with the following error: .* Support codes: \d{8}$/,
    );
  });

  it('uses the person support code when the moderation categories name a person', async () => {
    emulator.faults.enqueue({ type: 'moderation', categories: ['person'] });
    expect((await predict(prompt('a cat'))).body.error?.message).toMatch(/Support codes: 39322892$/);
  });

  it('replaces withheld samples by one raiFilteredReason entry when filtered and includeRaiReason is set', async () => {
    const reply = await predict(prompt('[emulate:filtered=2] a crowd', { sampleCount: 4, includeRaiReason: true }));
    expect(reply.status).toBe(200);
    const predictions = list(reply.body.predictions);
    expect(predictions).toHaveLength(3);
    expect(predictions.slice(0, 2).every((p) => typeof p.bytesBase64Encoded === 'string')).toBe(true);
    expect(predictions[2]).toEqual({ raiFilteredReason: expect.stringMatching(/filtered out 2 generated images/) });
  });

  it('drops withheld samples silently when filtered without includeRaiReason', async () => {
    emulator.faults.enqueue({ type: 'filtered', images: 1 });
    const reply = await predict(prompt('a crowd', { sampleCount: 3 }));
    expect(list(reply.body.predictions)).toHaveLength(1);
  });

  it('answers an empty object when every sample is filtered and no reason is requested', async () => {
    const reply = await predict(prompt('[emulate:filtered] a crowd', { sampleCount: 2 }));
    expect(reply).toMatchObject({ status: 200, body: {} });
  });

  it('returns fewer predictions without any reason when partial is scripted', async () => {
    const reply = await predict(prompt('[emulate:partial=1] dogs', { sampleCount: 4, includeRaiReason: true }));
    const predictions = list(reply.body.predictions);
    expect(predictions).toHaveLength(1);
    expect(predictions[0]?.raiFilteredReason).toBeUndefined();
  });

  it.each([
    [400, 'INVALID_ARGUMENT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
    [500, 'INTERNAL'],
    [502, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
  ] as const)('answers %i %s in the Google envelope when that error is scripted', async (status, name) => {
    emulator.faults.enqueue({ type: 'error', status });
    const reply = await predict(prompt('x'));
    expect(reply.status).toBe(status);
    expect(reply.body).toEqual({ error: { code: status, message: expect.any(String), status: name } });
  });

  it('uses the scripted code as status name and the scripted message when both are given', async () => {
    emulator.faults.enqueue({
      type: 'error',
      status: 400,
      code: 'FAILED_PRECONDITION',
      message: 'allow_all needs allow-listing',
    });
    const reply = await predict(prompt('x'));
    expect(reply.body.error).toEqual({
      code: 400,
      status: 'FAILED_PRECONDITION',
      message: 'allow_all needs allow-listing',
    });
  });

  it('answers 429 RESOURCE_EXHAUSTED naming the quota metric when rate limited', async () => {
    const reply = await predict(prompt('[emulate:429:retry-after=3] x'));
    expect(reply.status).toBe(429);
    expect(reply.body.error?.status).toBe('RESOURCE_EXHAUSTED');
    expect(reply.body.error?.message).toContain(
      'online_prediction_requests_per_base_model with base model: imagen-4.0-generate',
    );
    expect(reply.headers.get('retry-after')).toBeNull();
  });

  it('answers 403 BILLING_DISABLED when the quota is exhausted for good', async () => {
    const reply = await predict(prompt('[emulate:insufficient_quota] x'));
    expect(reply.status).toBe(403);
    expect(list(reply.body.error?.details)[0]).toMatchObject({ reason: 'BILLING_DISABLED' });
  });

  it('answers 500 INTERNAL with the scripted message when generation fails', async () => {
    emulator.faults.enqueue({ type: 'failed', message: 'backend crashed' });
    expect((await predict(prompt('x'))).body.error).toEqual({
      code: 500,
      status: 'INTERNAL',
      message: 'backend crashed',
    });
  });

  it('delays the answer when a latency directive is present', async () => {
    const started = performance.now();
    expect((await predict(prompt('[emulate:latency=150] x'))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('holds the request until the client aborts when hang is scripted', async () => {
    emulator.faults.enqueue({ type: 'hang' });
    const request = fetch(vertexUrl(emulator, 'imagen-4.0-generate-001', 'predict'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(prompt('x')),
      signal: AbortSignal.timeout(150),
    });
    await expect(request).rejects.toThrow();
    await expect.poll(() => emulator.stats().predict.byStatus).toEqual({ aborted: 1 });
  });

  it('answers 400 naming the directive when a directive is malformed', async () => {
    const reply = await predict(prompt('[emulate:teapot] x'));
    expect(reply.status).toBe(400);
    expect(reply.body.error?.message).toBe('unknown emulator directive: [emulate:teapot]');
  });
});
