import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let account: TestAccount;

beforeAll(async () => {
  stack = await startTestStack({ env: { MAX_BODY_BYTES: '65536' } });
  account = await stack.createAccount('errors');
});
afterAll(async () => {
  await stack?.stop();
});

const generations = () => `${stack.url}/v1/images/generations`;
const valid = { model: 'gpt-image-2', prompt: 'a cat' };

describe('authentication', () => {
  it.each([
    ['no Authorization header', undefined, 'missing_api_key'],
    ['an unknown key', 'sk-ig-not-a-real-key', 'invalid_api_key'],
    ['a malformed header', 'two words', 'missing_api_key'],
  ])('answers 401 for %s', async (_name, key, code) => {
    const headers: Record<string, string> = key === undefined ? {} : { authorization: `Bearer ${key}` };
    if (key === 'two words') headers.authorization = 'Basic two words';
    const response = await callJson<ErrorEnvelope>(generations(), { body: valid, headers });
    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ type: 'authentication_error', code });
  });

  it('answers 401 for a revoked key within seconds of revocation', async () => {
    const other = await stack.createAccount('revoked');
    expect((await callJson(`${stack.url}/v1/images/jobs`, { apiKey: other.apiKey })).status).toBe(200);
    const revoked = await stack.admin(`/admin/v1/api_keys/${other.keyId}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const response = await callJson<ErrorEnvelope>(`${stack.url}/v1/images/jobs`, { apiKey: other.apiKey });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_api_key');
  });

  it('refuses the admin API without the admin token', async () => {
    const response = await callJson<ErrorEnvelope>(`${stack.url}/admin/v1/accounts`, {
      body: { name: 'x' },
      apiKey: account.apiKey,
    });
    expect(response.status).toBe(401);
  });
});

describe('validation', () => {
  it.each<[string, Record<string, unknown>, number, string, string | null, string]>([
    ['n = 0', { ...valid, n: 0 }, 400, 'invalid_request_error', 'n', 'invalid_value'],
    ['n = 11', { ...valid, n: 11 }, 400, 'invalid_request_error', 'n', 'invalid_value'],
    ['n as a string', { ...valid, n: '2' }, 400, 'invalid_request_error', 'n', 'invalid_type'],
    ['n fractional', { ...valid, n: 1.5 }, 400, 'invalid_request_error', 'n', 'invalid_type'],
    // A size the model cannot make exactly maps to the nearest; only a shape more than 25 % off is refused.
    [
      'a shape the model cannot make',
      { ...valid, size: '4096x1024' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    ['a size that is not WxH', { ...valid, size: 'huge' }, 400, 'invalid_request_error', 'size', 'invalid_value'],
    [
      'gpt-image-2 size with a zero edge',
      { ...valid, model: 'gpt-image-2', size: '0x1024' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    [
      'gpt-image-2 ratio more than 25 % beyond 3:1',
      { ...valid, model: 'gpt-image-2', size: '3840x960' },
      400,
      'invalid_request_error',
      'size',
      'invalid_value',
    ],
    ['an unknown quality', { ...valid, quality: 'ultra' }, 400, 'invalid_request_error', 'quality', 'invalid_value'],
    [
      'transparent with jpeg',
      { ...valid, background: 'transparent', output_format: 'jpeg' },
      400,
      'invalid_request_error',
      'background',
      'invalid_value',
    ],
    [
      'compression with png',
      { ...valid, output_compression: 50 },
      400,
      'invalid_request_error',
      'output_compression',
      'invalid_value',
    ],
    ['an unknown model', { ...valid, model: 'dall-e-9' }, 404, 'invalid_request_error', 'model', 'model_not_found'],
    ['no model', { prompt: 'x' }, 400, 'invalid_request_error', 'model', 'missing_required_parameter'],
    ['an empty prompt', { ...valid, prompt: '   ' }, 400, 'invalid_request_error', 'prompt', 'invalid_value'],
    ['no prompt', { model: 'gpt-image-2' }, 400, 'invalid_request_error', 'prompt', 'missing_required_parameter'],
    [
      'a prompt over 32000 chars',
      { ...valid, prompt: 'x'.repeat(32_001) },
      400,
      'invalid_request_error',
      'prompt',
      'invalid_value',
    ],
    ['stream: "yes"', { ...valid, stream: 'yes' }, 400, 'invalid_request_error', 'stream', 'invalid_type'],
    // `style` is DALL·E 3's and is now accepted (ignored with a warning); `styles` is nobody's.
    [
      'an unknown parameter',
      { ...valid, styles: 'vivid' },
      400,
      'invalid_request_error',
      'styles',
      'unknown_parameter',
    ],
    [
      'both size and aspect_ratio',
      { ...valid, size: '1024x1024', aspect_ratio: '1:1' },
      400,
      'invalid_request_error',
      'aspect_ratio',
      'invalid_value',
    ],
    [
      'an aspect ratio the model cannot make',
      // gpt-image-2 makes 1:3 to 3:1 (the fixed-size gpt-image-1.5 this test used is retired).
      { ...valid, aspect_ratio: '4:1' },
      400,
      'invalid_request_error',
      'aspect_ratio',
      'invalid_value',
    ],
    [
      '17 metadata pairs',
      { ...valid, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
      400,
      'invalid_request_error',
      'metadata',
      'invalid_value',
    ],
    [
      'a body that is an array',
      [valid] as unknown as Record<string, unknown>,
      400,
      'invalid_request_error',
      null,
      'invalid_type',
    ],
  ])('rejects %s', async (_name, body, status, type, param, code) => {
    const response = await callJson<ErrorEnvelope>(generations(), { apiKey: account.apiKey, body });
    expect(response.status).toBe(status);
    expect(response.body.error).toMatchObject({ type, param, code });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('rejects malformed JSON with 400 invalid_json', async () => {
    const response = await callJson<ErrorEnvelope>(generations(), { apiKey: account.apiKey, rawBody: '{"model": ' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
  });

  it('rejects a body over the limit with 413', async () => {
    const response = await callJson<ErrorEnvelope>(generations(), {
      apiKey: account.apiKey,
      rawBody: JSON.stringify({ ...valid, prompt: 'x'.repeat(70_000) }),
    });
    expect(response.status).toBe(413);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'payload_too_large' });
  });

  it('rejects a non-JSON content type with 400', async () => {
    const response = await callJson<ErrorEnvelope>(generations(), {
      apiKey: account.apiKey,
      rawBody: 'model=gpt-image-2&prompt=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_content_type');
  });

  it('maps an aspect ratio to the nearest size the model makes', async () => {
    const response = await callJson<{ size: string }>(generations(), {
      apiKey: account.apiKey,
      body: { ...valid, aspect_ratio: '16:9', response_format: 'url' },
    });
    expect(response.status).toBe(200);
    // The nearest gpt-image-2 size on its 16-pixel grid, about one megapixel.
    expect(response.body.size).toBe('1360x768');
  });

  it('echoes a sane client x-request-id and replaces a hostile one', async () => {
    const echoed = await callJson(`${stack.url}/v1/images/jobs`, {
      apiKey: account.apiKey,
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');
    const replaced = await callJson(`${stack.url}/v1/images/jobs`, {
      apiKey: account.apiKey,
      headers: { 'x-request-id': 'a b<script>' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('answers an unknown route with a 404 envelope', async () => {
    const response = await callJson<ErrorEnvelope>(`${stack.url}/v1/nope`, { apiKey: account.apiKey });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('unknown_url');
  });

  it('never created a job for any rejected request', async () => {
    const { rows } = await stack.database.pool.query<{ count: bigint }>(
      "select count(*) from jobs where request->>'prompt' not in ('a cat')",
    );
    expect(rows[0]?.count).toBe(0n);
  });
});
