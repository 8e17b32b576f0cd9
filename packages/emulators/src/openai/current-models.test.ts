import { OpenAI } from 'openai';
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

/** An images answer or an error, as far as these tests read it. */
interface Answer extends Record<string, unknown> {
  data?: { b64_json: string }[];
}

/** A raw call, for parameters the SDK types of the installed version may not know. */
async function generate(body: Record<string, unknown>): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${emulator.url}/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a lighthouse', ...body }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe('the OpenAI emulator on the models of 2026-12', () => {
  it('lists the current GPT image models and not the ones OpenAI shut down', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gpt-image-2',
        'gpt-image-2.5-sunburst',
        'gpt-image-2.6-flare',
        'gpt-image-2.6-sunburst',
      ]),
    );
    expect(ids).not.toContain('gpt-image-1.5');
    expect(ids).not.toContain('gpt-image-1-mini');
  });

  it.each(['gpt-image-2.5-flare', 'gpt-image-2.6-sunburst'])('renders %s at quality xhigh and max', async (model) => {
    for (const quality of ['xhigh', 'max']) {
      const result = await generate({ model, quality, size: '1024x1024' });
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({ quality, size: '1024x1024' });
    }
  });

  it('reports usage by OpenAI’s calculator formula: 7,024 tokens for gpt-image-2 high at 1024x1024', async () => {
    const result = await generate({ model: 'gpt-image-2', quality: 'high', size: '1024x1024', n: 2 });
    expect(result.body.usage).toMatchObject({ output_tokens: 2 * 7024 });
  });

  it('makes a real animated GIF of frame_count frames on gpt-image-2.6', async () => {
    const result = await generate({
      model: 'gpt-image-2.6-flare',
      output_format: 'gif',
      frame_count: 4,
      frame_duration_ms: 125,
      size: '1024x1024',
      complexity: 'low',
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ output_format: 'gif' });
    const [image] = result.body.data ?? [];
    const metadata = await sharp(Buffer.from(image?.b64_json ?? '', 'base64'), { animated: true }).metadata();
    expect(metadata).toMatchObject({ format: 'gif', pages: 4, width: 1024, pageHeight: 1024 });
    expect(metadata.delay).toEqual([130, 130, 130, 130]);
  });

  it('makes a real SVG document on gpt-image-2.6, with svg_usage apart from usage', async () => {
    const result = await generate({ model: 'gpt-image-2.6-sunburst', output_format: 'svg', svg: { model: 'x' } });
    expect(result.status).toBe(200);
    const [image] = result.body.data ?? [];
    const text = Buffer.from(image?.b64_json ?? '', 'base64').toString('utf8');
    expect(text).toMatch(/^<\?xml[^>]*>\s*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(await sharp(Buffer.from(text)).metadata()).toMatchObject({ format: 'svg', width: 1024, height: 1024 });
    expect(result.body.svg_usage).toMatchObject({ output_tokens: expect.any(Number) });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['GIF on gpt-image-2.5', { model: 'gpt-image-2.5-flare', output_format: 'gif' }, 'output_format'],
    ['frame_count without GIF', { model: 'gpt-image-2.6-flare', frame_count: 4 }, 'frame_count'],
    ['17 frames', { model: 'gpt-image-2.6-flare', output_format: 'gif', frame_count: 17 }, 'frame_count'],
    ['two SVGs', { model: 'gpt-image-2.6-flare', output_format: 'svg', n: 2 }, 'n'],
    [
      'a compressed GIF',
      { model: 'gpt-image-2.6-flare', output_format: 'gif', output_compression: 50 },
      'output_compression',
    ],
    ['complexity on gpt-image-2', { model: 'gpt-image-2', complexity: 'high' }, 'complexity'],
    ['xhigh on gpt-image-2', { model: 'gpt-image-2', quality: 'xhigh' }, 'quality'],
    ['a transparent background on gpt-image-2', { model: 'gpt-image-2', background: 'transparent' }, 'background'],
  ])('refuses %s as OpenAI does', async (_case, body, param) => {
    const result = await generate(body);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ type: 'invalid_request_error', param });
  });
});
