import { RETIRED_MODELS_FILE } from '@imagegate/catalog';
import { waitForSettlements } from '@imagegate/testing';
import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/** Google and BFL models through imagegate, with the official OpenAI client, against the emulators. */

let stack: TestStack;
let account: TestAccount;
let client: OpenAI;

beforeAll(async () => {
  // Imagen 4 is retired; brought back as an operator whose upstream still serves it would.
  stack = await startTestStack({ env: { CATALOG_FILE: RETIRED_MODELS_FILE } });
  account = await stack.createAccount('providers');
  client = new OpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL, maxRetries: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

interface Extra {
  extra: {
    job_id: string;
    model: string;
    aspect_ratio?: string;
    image_size?: string;
    warnings: string[];
    routing: { attempts: { provider: string; model: string; status: string }[] };
    billing: { charged_usd: number; unit_price_usd: number; markup: number };
  };
}

/** Our extensions (`aspect_ratio`, `providerOptions`) ride along in the body; the SDK passes them through. */
type Params = OpenAI.ImageGenerateParamsNonStreaming & Record<string, unknown>;
const generate = async (params: Params) =>
  (await client.images.generate(params as OpenAI.ImageGenerateParamsNonStreaming)) as OpenAI.ImagesResponse & Extra;

async function balanceOf(owner: TestAccount): Promise<{ balance_usd: number; held_usd: number }> {
  const { body } = await callJson<{ balance_usd: number; held_usd: number }>(`${stack.baseURL}/account`, {
    apiKey: owner.apiKey,
  });
  return { balance_usd: body.balance_usd, held_usd: body.held_usd };
}

async function dimensionsOf(image: OpenAI.Image | undefined): Promise<{ format?: string; size: string }> {
  const metadata = await sharp(Buffer.from(image?.b64_json ?? '', 'base64')).metadata();
  return { format: metadata.format, size: `${metadata.width}x${metadata.height}` };
}

describe('Google Imagen 4 (Vertex :predict)', () => {
  it('generates at an aspect ratio, echoes the applied size and says the model is deprecated', async () => {
    stack.google.resetStats();
    const result = await generate({ model: 'imagen-4-0', prompt: 'a lighthouse at dusk', aspect_ratio: '16:9' });
    expect(result.data).toHaveLength(1);
    expect(await dimensionsOf(result.data?.[0])).toEqual({ format: 'png', size: '1408x768' });
    expect(result.size).toBe('1408x768');
    expect(result.extra).toMatchObject({ model: 'imagen-4.0-generate-001', aspect_ratio: '16:9', image_size: '1K' });
    expect(result.extra.warnings.join(' ')).toMatch(/deprecated.*gemini-3\.1-flash-image/);
    expect(result.extra.routing.attempts).toEqual([
      expect.objectContaining({ provider: 'google', model: 'imagen-4.0-generate-001', status: 'succeeded' }),
    ]);
    const [body] = stack.google.stats().predict.lastRequests as { parameters: Record<string, unknown> }[];
    expect(body?.parameters).toMatchObject({ sampleCount: 1, aspectRatio: '16:9', sampleImageSize: '1K' });
  });

  it('splits n=6 into calls of 4 and 2 and delivers 6 images', async () => {
    stack.google.resetStats();
    const result = await generate({ model: 'google/imagen-4-flash', prompt: 'six tiles', n: 6, size: '1024x1024' });
    expect(result.data).toHaveLength(6);
    const counts = (stack.google.stats().predict.lastRequests as { parameters: { sampleCount: number } }[])
      .map((body) => body.parameters.sampleCount)
      .sort();
    expect(counts).toEqual([2, 4]);
  });

  it('delivers what the safety filter let through, says so, and bills only those', async () => {
    const result = await generate({ model: 'imagen-4-ultra', prompt: 'a crowd [emulate:filtered=1]', n: 3 });
    expect(result.data).toHaveLength(1);
    expect(result.extra.warnings.join(' ')).toMatch(/withheld/);
    expect(result.extra.billing.charged_usd).toBeCloseTo(result.extra.billing.unit_price_usd, 6);
    expect(result.extra.billing.unit_price_usd).toBeCloseTo(0.06 * 1.5, 6);
  });
});

describe('Google Gemini image models (generateContent)', () => {
  it('makes n=3 on a one-image-per-call model as three calls and three images', async () => {
    stack.google.resetStats();
    const result = await generate({ model: 'gemini-3.1-flash-image', prompt: 'a fox', n: 3, size: '1376x768' });
    expect(result.data).toHaveLength(3);
    // PNG, OpenAI's default, though Gemini's own is JPEG.
    for (const image of result.data ?? [])
      expect(await dimensionsOf(image)).toEqual({ format: 'png', size: '1376x768' });
    expect(stack.google.stats().vertexGenerateContent.calls).toBe(3);
    expect(result.output_format).toBe('png');
    expect(result.extra).toMatchObject({ aspect_ratio: '16:9', image_size: '1K' });
    expect(result.usage).toMatchObject({ output_tokens: expect.any(Number) });
  });

  it('turns a safety block that arrives as HTTP 200 into 400 moderation_blocked, charging nothing', async () => {
    await waitForSettlements(stack.database.pool);
    const before = await balanceOf(account);
    const response = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'gemini-2.5-flash-image', prompt: 'something forbidden [emulate:moderation]' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'moderation_blocked' });
    await waitForSettlements(stack.database.pool);
    expect(await balanceOf(account)).toEqual({ ...before, held_usd: 0 });
  });
});

describe('Black Forest Labs FLUX (submit, poll, download)', () => {
  it('generates a FLUX.2 image of a free size as png', async () => {
    const result = await generate({
      model: 'bfl/flux-2-pro',
      prompt: 'an echidna swimming',
      size: '1344x768',
      providerOptions: { blackForestLabs: { outputFormat: 'png', safetyTolerance: 2 } },
    });
    expect(await dimensionsOf(result.data?.[0])).toEqual({ format: 'png', size: '1344x768' });
    expect(result.output_format).toBe('png');
  });

  it('makes n=3 FLUX images as three tasks', async () => {
    stack.bfl.resetStats();
    const result = await generate({ model: 'flux-2-flex', prompt: 'three owls', n: 3, size: '768x768' });
    expect(result.data).toHaveLength(3);
    for (const image of result.data ?? []) expect((await dimensionsOf(image)).size).toBe('768x768');
    // FLUX.2 [flex]: 5 cents for the first megapixel (BFL's list price; it was 6 before).
    expect(result.extra.billing.charged_usd).toBeCloseTo(3 * 0.05 * 1.5, 6);
  });

  it('sizes Kontext by aspect ratio and serves URLs too', async () => {
    const result = await generate({
      model: 'flux-kontext-pro',
      prompt: 'a wide street',
      aspect_ratio: '16:9',
      response_format: 'url',
    });
    expect(result.extra.aspect_ratio).toBe('16:9');
    const image = await fetch(result.data?.[0]?.url ?? '');
    expect(image.status).toBe(200);
    const metadata = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect(`${metadata.width}x${metadata.height}`).toBe(result.size);
  });

  it('maps Content Moderated to 400 moderation_blocked', async () => {
    const response = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: 'flux-pro-1.1', prompt: 'not this [emulate:filtered]' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('moderation_blocked');
  });
});

describe('refusals at submission', () => {
  it.each<[string, Record<string, unknown>, number, string, string]>([
    ['a retired preview model', { model: 'gemini-3-pro-image-preview' }, 400, 'model', 'model_retired'],
    [
      'an aspect ratio Imagen lacks',
      { model: 'imagen-4-0', aspect_ratio: '21:9' },
      400,
      'aspect_ratio',
      'invalid_value',
    ],
    ['quality on Imagen', { model: 'imagen-4-0', quality: 'high' }, 400, 'quality', 'invalid_value'],
    [
      'a FLUX.2 tolerance over 5',
      { model: 'flux-2-pro', provider_options: { blackForestLabs: { safety_tolerance: 6 } } },
      400,
      'provider_options.blackForestLabs.safety_tolerance',
      'invalid_value',
    ],
    [
      'an unknown provider key',
      { model: 'flux-2-pro', providerOptions: { acme: {} } },
      400,
      'providerOptions.acme',
      'unknown_parameter',
    ],
    [
      'both spellings of providerOptions',
      { model: 'flux-2-pro', providerOptions: {}, provider_options: {} },
      400,
      'provider_options',
      'invalid_value',
    ],
  ])('%s', async (_name, fields, status, param, code) => {
    const response = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { prompt: 'x', ...fields },
    });
    expect(response.status).toBe(status);
    expect(response.body.error).toMatchObject({ param, code });
  });
});

describe('GET /v1/models', () => {
  interface ModelEntry {
    id: string;
    object: string;
    owned_by: string;
    aliases: string[];
    capabilities: { max_images_per_call: number; sizes: { mode: string }; provider_options: string[] };
    pricing: {
      markup: number;
      tiers: { per_image_usd: Record<string, number>; list_per_image_usd: Record<string, number> }[];
    };
    lifecycle: { status: string; replacement: string | null };
  }

  it('lists every model with aliases, capabilities, prices at the caller’s markup and lifecycle', async () => {
    const list = await client.models.list();
    const models = list.data as unknown as ModelEntry[];
    const ids = models.map((model) => model.id);
    for (const id of [
      'gpt-image-2',
      'imagen-4.0-ultra-generate-001',
      'gemini-3-pro-image',
      'flux-2-pro',
      'flux-kontext-max',
    ]) {
      expect(ids).toContain(id);
    }
    expect(ids).not.toContain('gemini-3-pro-image-preview');
    const imagen = models.find((model) => model.id === 'imagen-4.0-generate-001');
    expect(imagen).toMatchObject({
      object: 'model',
      owned_by: 'google',
      aliases: expect.arrayContaining(['google/imagen-4.0-generate-001', 'imagen-4-0']),
      capabilities: {
        max_images_per_call: 4,
        sizes: { mode: 'aspect' },
        provider_options: expect.arrayContaining(['safetyFilterLevel']),
      },
      pricing: { markup: 1.5, tiers: [{ per_image_usd: { default: 0.06 }, list_per_image_usd: { default: 0.04 } }] },
      lifecycle: { status: 'deprecated', replacement: 'gemini-3.1-flash-image' },
    });
  });

  it('retrieves one model by alias', async () => {
    const response = await callJson<ModelEntry>(`${stack.baseURL}/models/imagen-4-ultra`, { apiKey: account.apiKey });
    expect(response.status).toBe(200);
    expect(response.body.id).toBe('imagen-4.0-ultra-generate-001');
  });
});
