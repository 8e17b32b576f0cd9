import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/** Clients written for DALL·E and older GPT image models work, told in warnings what changed. */

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('legacy clients');
});
afterAll(async () => {
  await stack?.stop();
});

interface Generated {
  data: { b64_json?: string; url?: string }[];
  size: string;
  quality: string;
  output_format: string;
  extra: { job_id: string; warnings: string[] };
}

const generate = (body: Record<string, unknown>) =>
  callJson<Generated & ErrorEnvelope>(`${stack.baseURL}/images/generations`, { apiKey: account.apiKey, body });

describe('requests from clients written for older OpenAI models', () => {
  it('serves a DallEAPIWrapper-style request (quality standard, style vivid, url), with warnings', async () => {
    const response = await generate({
      model: 'gpt-image-2.6-flare',
      prompt: 'a watercolour fox',
      n: 1,
      size: '1024x1024',
      quality: 'standard',
      style: 'vivid',
      response_format: 'url',
    });
    expect(response.status).toBe(200);
    expect(response.body.data[0]?.url).toMatch(/^https?:\/\//);
    expect(response.body.extra.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining("quality 'standard'"), expect.stringContaining("style 'vivid'")]),
    );
    // What is echoed is what the model takes: the quality the request became, never `standard`.
    expect(response.body.quality).toBe('medium');
    const job = await callJson<{ request: { quality: string; style?: string } }>(
      `${stack.baseURL}/images/jobs/${response.body.extra.job_id}`,
      { apiKey: account.apiKey },
    );
    expect(job.body.request.quality).toBe('medium');
    expect(job.body.request.style).toBeUndefined();
  });

  it('serves quality hd through the official client, as high', async () => {
    const client = new OpenAI({ apiKey: account.apiKey, baseURL: stack.baseURL, maxRetries: 0 });
    const result = await client.images.generate({ model: 'gpt-image-2', prompt: 'a harbour', quality: 'hd' });
    expect(result.quality).toBe('high');
  });

  it('answers dall-e-3 with 400 model_retired naming its replacement', async () => {
    const response = await generate({ model: 'dall-e-3', prompt: 'a harbour', style: 'natural' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ param: 'model', code: 'model_retired' });
    expect(response.body.error.message).toContain("Use 'gpt-image-2.6-sunburst' instead");
  });

  it.each([
    ['gpt-image-2', '1920x1088'],
    ['gemini-nano-banana-2.1', '1376x768'],
    ['flux-pro-1.1', '1440x800'],
  ])('maps 1920x1080 on %s to %s, with a warning', async (model, size) => {
    const response = await generate({ model, prompt: 'a wide shot', size: '1920x1080' });
    expect(response.status).toBe(200);
    expect(response.body.size).toBe(size);
    expect(response.body.extra.warnings.join(' ')).toContain(`used the nearest size, ${size}`);
    const metadata = await sharp(Buffer.from(response.body.data[0]?.b64_json ?? '', 'base64')).metadata();
    expect(`${metadata.width}x${metadata.height}`).toBe(size);
  });

  it('answers PNG when no format is asked, though the upstream defaults to JPEG (FLUX.2)', async () => {
    const response = await generate({ model: 'flux-2-pro', prompt: 'a still life' });
    expect(response.status).toBe(200);
    expect(response.body.output_format).toBe('png');
    // FLUX has no quality knob: the echo is `auto`, what the model takes, not the adapter's `standard`.
    expect(response.body.quality).toBe('auto');
    const metadata = await sharp(Buffer.from(response.body.data[0]?.b64_json ?? '', 'base64')).metadata();
    expect(metadata.format).toBe('png');
  });
});
