import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from './emulator.ts';
import { startOpenAIEmulator } from './emulator.ts';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
});
afterAll(() => emulator.close());

interface RawReply {
  status: number;
  headers: Headers;
  body: { error?: { message: string; type: string; param: string | null; code: string | null } };
}

async function post(body: string, headers: Record<string, string> = {}): Promise<RawReply> {
  const response = await fetch(`${emulator.url}/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as RawReply['body'] };
}

const base = { model: 'gpt-image-1', prompt: 'a lighthouse' };

describe('POST /v1/images/generations validation', () => {
  it.each<[string, Record<string, unknown>, number, string, string | null, string | null]>([
    [
      'prompt is missing',
      { model: 'gpt-image-1' },
      400,
      'invalid_request_error',
      'prompt',
      'missing_required_parameter',
    ],
    ['prompt is null', { ...base, prompt: null }, 400, 'invalid_request_error', 'prompt', 'missing_required_parameter'],
    ['prompt is empty', { ...base, prompt: '  ' }, 400, 'invalid_request_error', 'prompt', 'invalid_value'],
    ['prompt is not a string', { ...base, prompt: 42 }, 400, 'invalid_request_error', 'prompt', 'invalid_type'],
    [
      'prompt exceeds 32000 chars',
      { ...base, prompt: 'x'.repeat(32_001) },
      400,
      'invalid_request_error',
      'prompt',
      'invalid_value',
    ],
    ['model is unknown', { ...base, model: 'dall-e-3' }, 404, 'invalid_request_error', null, 'model_not_found'],
    ['model is not a string', { ...base, model: 3 }, 400, 'invalid_request_error', 'model', 'invalid_type'],
    ['n is 0', { ...base, n: 0 }, 400, 'invalid_request_error', 'n', 'invalid_value'],
    ['n is 11', { ...base, n: 11 }, 400, 'invalid_request_error', 'n', 'invalid_value'],
    ['n is fractional', { ...base, n: 1.5 }, 400, 'invalid_request_error', 'n', 'invalid_type'],
    [
      'size is custom on gpt-image-1',
      { ...base, size: '1536x864' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    [
      'size is dall-e only',
      { ...base, model: 'gpt-image-1.5', size: '512x512' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    [
      'gpt-image-2 size not /16',
      { ...base, model: 'gpt-image-2', size: '1000x1000' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    [
      'gpt-image-2 edge > 3840',
      { ...base, model: 'gpt-image-2', size: '4096x1536' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    [
      'gpt-image-2 ratio > 3:1',
      { ...base, model: 'gpt-image-2', size: '3200x1024' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    [
      'gpt-image-2 too few px',
      { ...base, model: 'gpt-image-2', size: '512x512' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    [
      'gpt-image-2 too many px',
      { ...base, model: 'gpt-image-2', size: '3840x2304' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    [
      'gpt-image-2 size garbage',
      { ...base, model: 'gpt-image-2-2026-04-21', size: 'big' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    ['quality is unknown', { ...base, quality: 'hd' }, 400, 'invalid_request_error', 'quality', 'invalid_value'],
    [
      'background is unknown',
      { ...base, background: 'white' },
      400,
      'invalid_request_error',
      'background',
      'invalid_value',
    ],
    [
      'transparent with jpeg',
      { ...base, background: 'transparent', output_format: 'jpeg' },
      400,
      'invalid_request_error',
      'background',
      'invalid_value',
    ],
    [
      'output_format is gif',
      { ...base, output_format: 'gif' },
      400,
      'invalid_request_error',
      'output_format',
      'invalid_value',
    ],
    [
      'compression with png',
      { ...base, output_compression: 50 },
      400,
      'invalid_request_error',
      'output_compression',
      'invalid_value',
    ],
    [
      'compression is 101',
      { ...base, output_format: 'webp', output_compression: 101 },
      400,
      'invalid_request_error',
      'output_compression',
      'invalid_value',
    ],
    [
      'moderation is high',
      { ...base, moderation: 'high' },
      400,
      'invalid_request_error',
      'moderation',
      'invalid_value',
    ],
    [
      'response_format is set',
      { ...base, response_format: 'b64_json' },
      400,
      'invalid_request_error',
      'response_format',
      'unknown_parameter',
    ],
    ['style is set', { ...base, style: 'vivid' }, 400, 'invalid_request_error', 'style', 'unknown_parameter'],
    ['stream is not a boolean', { ...base, stream: 'yes' }, 400, 'invalid_request_error', 'stream', 'invalid_type'],
    ['user is a number', { ...base, user: 7 }, 400, 'invalid_request_error', 'user', 'invalid_type'],
    ['a field is unknown', { ...base, seed: 1 }, 400, 'invalid_request_error', 'seed', 'unknown_parameter'],
    [
      'the directive is unknown',
      { ...base, prompt: 'x [emulate:nope]' },
      400,
      'invalid_request_error',
      'prompt',
      'invalid_value',
    ],
  ])('answers %s with the OpenAI error', async (_case, body, status, type, param, code) => {
    const reply = await post(JSON.stringify(body));
    expect(reply.status).toBe(status);
    expect(reply.body.error).toMatchObject({ type, param, code });
    expect(reply.body.error?.message.length).toBeGreaterThan(0);
  });

  it.each<[string, string, Record<string, string>, number, string | null]>([
    ['the JSON is malformed', '{"prompt": ', {}, 400, null],
    ['the body is a JSON array', '[]', {}, 400, null],
    ['the content type is not JSON', 'prompt=x', { 'content-type': 'application/x-www-form-urlencoded' }, 400, null],
    ['the API key is missing', JSON.stringify(base), { authorization: '' }, 401, null],
    [
      'the API key is wrong',
      JSON.stringify(base),
      { authorization: 'Bearer sk-wrong-key-1234' },
      401,
      'invalid_api_key',
    ],
  ])('answers %s with an invalid_request_error', async (_case, body, headers, status, code) => {
    const reply = await post(body, headers);
    expect(reply.status).toBe(status);
    expect(reply.body.error).toMatchObject({ type: 'invalid_request_error', param: null, code });
  });

  it('tells the caller to provide a key when none is sent', async () => {
    const reply = await post(JSON.stringify(base), { authorization: '' });
    expect(reply.body.error?.message).toMatch(/^You didn't provide an API key/);
  });

  it('accepts explicit nulls as absent fields', async () => {
    const body = { ...base, n: null, size: null, quality: null, background: null, output_format: null, user: null };
    const reply = await post(
      JSON.stringify({ ...body, output_compression: null, moderation: null, response_format: null, stream: null }),
    );
    expect(reply.status).toBe(200);
  });

  it('stamps x-request-id and openai-processing-ms on errors and successes', async () => {
    for (const reply of [await post('{'), await post(JSON.stringify(base))]) {
      expect(reply.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
      expect(Number(reply.headers.get('openai-processing-ms'))).toBeGreaterThanOrEqual(0);
    }
  });

  it('answers unknown routes with 404 Invalid URL', async () => {
    const response = await fetch(`${emulator.url}/images/variations`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { message: 'Invalid URL (POST /v1/images/variations)' } });
  });
});
