import { OpenAI } from 'openai';
import type { Metadata } from 'sharp';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from './emulator.ts';
import { startOpenAIEmulator } from './emulator.ts';

let emulator: RunningEmulator;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  client = new OpenAI({ apiKey: emulator.apiKey, baseURL: emulator.url, maxRetries: 0 });
});
afterAll(() => emulator.close());

async function decode(b64: string | undefined): Promise<Metadata> {
  expect(b64).toBeTypeOf('string');
  return sharp(Buffer.from(b64 ?? '', 'base64')).metadata();
}

describe('startOpenAIEmulator with the official openai SDK', () => {
  it('returns a resolved ImagesResponse with usage when defaults are used', async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await client.images.generate({ model: 'gpt-image-1', prompt: 'a red fox in snow' });
    expect(result.created).toBeGreaterThanOrEqual(before);
    expect(result).toMatchObject({ background: 'opaque', output_format: 'png', quality: 'medium', size: '1024x1024' });
    expect(result.usage).toEqual({
      input_tokens: 5,
      input_tokens_details: { text_tokens: 5, image_tokens: 0 },
      output_tokens: 1056,
      output_tokens_details: { image_tokens: 1056, text_tokens: 0 },
      total_tokens: 1061,
    });
    expect(result._request_id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(await decode(result.data?.[0]?.b64_json)).toMatchObject({
      format: 'png',
      width: 1024,
      height: 1024,
      hasAlpha: false,
    });
  });

  it.each([
    ['png', 'transparent', true],
    ['webp', 'transparent', true],
    ['webp', 'opaque', false],
    ['jpeg', 'auto', false],
  ] as const)('returns %s images with alpha=%s when background is %s', async (format, background, alpha) => {
    const result = await client.images.generate({
      model: 'gpt-image-1-mini',
      prompt: 'a glass bottle',
      size: '1536x1024',
      output_format: format,
      background,
      quality: 'low',
      n: 2,
    });
    expect(result.data).toHaveLength(2);
    expect(result).toMatchObject({ output_format: format, quality: 'low', size: '1536x1024' });
    expect(result.background).toBe(alpha ? 'transparent' : 'opaque');
    // low = 272 tokens at 1024², scaled by 1.5 for 1536×1024, times 2 images.
    expect(result.usage?.output_tokens).toBe(816);
    for (const image of result.data ?? []) {
      expect(await decode(image.b64_json)).toMatchObject({ format, width: 1536, height: 1024, hasAlpha: alpha });
    }
  });

  it('honours output_compression as encoder quality for jpeg', async () => {
    const sizeAt = async (output_compression: number): Promise<number> => {
      const result = await client.images.generate({ prompt: 'bricks', output_format: 'jpeg', output_compression });
      return Buffer.from(result.data?.[0]?.b64_json ?? '', 'base64').length;
    };
    expect(await sizeAt(5)).toBeLessThan(await sizeAt(100));
  });

  it('renders a 1536x864 image when gpt-image-2 is asked for a custom size', async () => {
    const result = await client.images.generate({
      model: 'gpt-image-2',
      prompt: 'a wide valley',
      size: '1536x864',
      quality: 'high',
    });
    expect(result.size).toBe('1536x864');
    // OpenAI's calculator formula at high (factor 96): 4,312 tokens, $0.129.
    expect(result.usage?.output_tokens).toBe(4312);
    expect(await decode(result.data?.[0]?.b64_json)).toMatchObject({ format: 'png', width: 1536, height: 864 });
  });

  it('returns the same image bytes when the prompt is repeated and different ones for another prompt', async () => {
    const a = await client.images.generate({ prompt: 'same prompt' });
    const b = await client.images.generate({ prompt: 'same prompt' });
    const c = await client.images.generate({ prompt: 'another prompt entirely' });
    expect(b.data?.[0]?.b64_json).toBe(a.data?.[0]?.b64_json);
    expect(c.data?.[0]?.b64_json).not.toBe(a.data?.[0]?.b64_json);
  });

  it('raises AuthenticationError when the SDK uses the wrong key', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-not-the-key', baseURL: emulator.url, maxRetries: 0 });
    await expect(wrong.images.generate({ prompt: 'x' })).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
  });

  it('lists the supported models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('gpt-image-2-2026-04-21');
  });
});

describe('startOpenAIEmulator options', () => {
  it('pads every image to at least imageBytes when set to 1 MiB', async () => {
    const padded = await startOpenAIEmulator({ imageBytes: 1024 * 1024, apiKey: 'sk-bench' });
    try {
      const bench = new OpenAI({ apiKey: 'sk-bench', baseURL: padded.url, maxRetries: 0 });
      const result = await bench.images.generate({ prompt: 'noise', n: 2 });
      for (const image of result.data ?? []) {
        const bytes = Buffer.from(image.b64_json ?? '', 'base64');
        expect(bytes.length).toBeGreaterThanOrEqual(1024 * 1024);
        const { info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
        expect(info).toMatchObject({ width: 1024, height: 1024 });
      }
    } finally {
      await padded.close();
    }
  });

  it('adds the fixed latency when latencyMs is set', async () => {
    const slow = await startOpenAIEmulator({ latencyMs: 150 });
    try {
      const sdk = new OpenAI({ apiKey: slow.apiKey, baseURL: slow.url, maxRetries: 0 });
      const started = performance.now();
      await sdk.images.generate({ prompt: 'slow' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    } finally {
      await slow.close();
    }
  });

  it('fails to start when the port is taken', async () => {
    await expect(startOpenAIEmulator({ port: emulator.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
