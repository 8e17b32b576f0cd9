import { loadCatalog } from '@imagegate/catalog';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * Every model of the default catalog, read from the catalog itself so that a new entry cannot be
 * skipped, generates through imagegate against its emulator; every retired id answers 400
 * `model_retired` naming its replacement.
 */

let stack: TestStack;
let account: TestAccount;
const catalog = loadCatalog();

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('catalog', 1_000);
});
afterAll(async () => {
  await stack?.stop();
});

interface Generated {
  data: { b64_json: string }[];
  size: string;
  output_format: string;
  extra: { model: string; billing: { held_usd: number } };
}

describe('every catalog model', () => {
  // FLUX.1 Fill only edits: test/e2e/edits.test.ts repaints with it.
  const generating = catalog.available().filter((model) => !model.capabilities.editsOnly);
  it.each(generating.map((model) => [model.id]))('generates an image with %s', async (id) => {
    const response = await callJson<Generated>(`${stack.baseURL}/images/generations`, {
      apiKey: account.apiKey,
      body: { model: id, prompt: `a lighthouse drawn by ${id}` },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.extra.model).toBe(id);
    expect(response.body.extra.billing.held_usd).toBeGreaterThan(0);
    const [image] = response.body.data;
    const metadata = await sharp(Buffer.from(image?.b64_json ?? '', 'base64')).metadata();
    expect(`${metadata.width}x${metadata.height}`).toBe(response.body.size);
  });
});

describe('GET /v1/models', () => {
  it('shows how each upstream bills, with examples: gpt-image-2 high at 1024x1024 is $0.211 list', async () => {
    const response = await callJson<{
      pricing: {
        rule: string;
        token_rates_usd_per_million: Record<string, number>;
        examples: { size: string; quality: string; list_per_image_usd: number; per_image_usd: number }[];
      };
    }>(`${stack.baseURL}/models/gpt-image-2`, { apiKey: account.apiKey });
    expect(response.body.pricing).toMatchObject({
      rule: 'per_token',
      token_rates_usd_per_million: { text_input: 5, image_input: 8, image_output: 30 },
    });
    const example = response.body.pricing.examples.find((each) => each.size === '1024x1024' && each.quality === 'high');
    expect(example?.list_per_image_usd).toBeCloseTo(0.211, 3);
    // The caller's markup (1.5 for a new account).
    expect(example?.per_image_usd).toBeCloseTo(0.211 * 1.5, 3);
  });
});

describe('every retired model', () => {
  it.each(catalog.retired.flatMap((entry) => [entry.id, ...entry.aliases].map((name) => [name, entry.replacement])))(
    'answers 400 model_retired for %s, naming %s',
    async (name, replacement) => {
      const response = await callJson<ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
        apiKey: account.apiKey,
        body: { model: name, prompt: 'a lighthouse' },
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_retired',
      });
      expect(response.body.error.message).toContain(`Use '${replacement}' instead`);
    },
  );
});
