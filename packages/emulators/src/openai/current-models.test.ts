import { OpenAI } from 'openai';
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

/** A raw call, for parameters the SDK types of the installed version may not know. */
async function generate(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a lighthouse', ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
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

  it.each<[string, Record<string, unknown>, string]>([
    ['xhigh on gpt-image-2', { model: 'gpt-image-2', quality: 'xhigh' }, 'quality'],
    ['a transparent background on gpt-image-2', { model: 'gpt-image-2', background: 'transparent' }, 'background'],
  ])('refuses %s as OpenAI does', async (_case, body, param) => {
    const result = await generate(body);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ type: 'invalid_request_error', param });
  });
});
