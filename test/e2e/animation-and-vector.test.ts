import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/** gpt-image-2.6's GIF and SVG output and its `complexity`, through imagegate against the emulator. */

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('gif and svg');
});
afterAll(async () => {
  await stack?.stop();
});

interface Generated {
  data: { b64_json?: string; url?: string }[];
  output_format: string;
  usage?: { svg_usage?: { output_tokens: number } };
  extra: { billing: { upstream_cost_usd: number | null } };
}

const generate = (body: Record<string, unknown>) =>
  callJson<Generated & ErrorEnvelope>(`${stack.baseURL}/images/generations`, {
    apiKey: account.apiKey,
    body: { model: 'gpt-image-2.6-flare', prompt: 'a bouncing ball', size: '1024x1024', ...body },
  });

describe('GIF and SVG on gpt-image-2.6', () => {
  it('answers a real animated GIF of frame_count frames', async () => {
    const response = await generate({
      output_format: 'gif',
      frame_count: 5,
      frame_duration_ms: 100,
      complexity: 'low',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.output_format).toBe('gif');
    const bytes = Buffer.from(response.body.data[0]?.b64_json ?? '', 'base64');
    expect(await sharp(bytes, { animated: true }).metadata()).toMatchObject({ format: 'gif', pages: 5 });
  });

  it('answers a real SVG document, served as image/svg+xml by URL, its author tokens in the upstream cost', async () => {
    const response = await generate({ output_format: 'svg', response_format: 'url' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.output_format).toBe('svg');
    const image = await fetch(response.body.data[0]?.url ?? '');
    expect(image.headers.get('content-type')).toBe('image/svg+xml');
    expect(await image.text()).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(response.body.usage?.svg_usage?.output_tokens).toBeGreaterThan(0);
    expect(response.body.extra.billing.upstream_cost_usd).toBeGreaterThan(0);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['frame_count without GIF', { frame_count: 4 }, 'frame_count'],
    ['two SVG images', { output_format: 'svg', n: 2 }, 'n'],
    ['GIF on a model without it', { model: 'gpt-image-2', output_format: 'gif' }, 'output_format'],
    ['complexity on a model without it', { model: 'gpt-image-2', complexity: 'high' }, 'complexity'],
    ['a compressed SVG', { output_format: 'svg', output_compression: 50 }, 'output_compression'],
  ])('refuses %s, naming the param', async (_case, body, param) => {
    const response = await generate(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param });
  });
});
