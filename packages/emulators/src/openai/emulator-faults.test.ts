import { connect } from 'node:net';
import {
  APIConnectionError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  OpenAI,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from './emulator.ts';
import { startOpenAIEmulator } from './emulator.ts';

let emulator: RunningEmulator;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startOpenAIEmulator();
  client = new OpenAI({ apiKey: emulator.apiKey, baseURL: emulator.url, maxRetries: 0 });
});
afterEach(() => {
  emulator.faults.reset();
  emulator.resetStats();
});
afterAll(() => emulator.close());

/** Runs a generation and returns the SDK error it raised. */
async function failure(prompt = 'a cat', n?: number): Promise<Error & Record<string, unknown>> {
  const error: unknown = await client.images.generate({ prompt, ...(n === undefined ? {} : { n }) }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & Record<string, unknown>;
}

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${emulator.url.replace(/\/v1$/, '')}/__emulator/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('scripted faults', () => {
  it.each([
    [500, InternalServerError, 'server_error', null],
    [502, InternalServerError, 'server_error', null],
    [503, InternalServerError, 'server_error', null],
    [400, BadRequestError, 'invalid_request_error', 'invalid_value'],
    [401, AuthenticationError, 'invalid_request_error', 'invalid_api_key'],
    [403, PermissionDeniedError, 'invalid_request_error', null],
    [404, NotFoundError, 'invalid_request_error', 'model_not_found'],
  ] as const)('answers %i as the SDK error class when scripted', async (status, errorClass, type, code) => {
    emulator.faults.enqueue({ type: 'error', status });
    const error = await failure();
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ status, type, code, param: null });
    expect(error.requestID).toMatch(/^req_/);
  });

  it('uses the scripted code and message when given', async () => {
    emulator.faults.enqueue({
      type: 'error',
      status: 403,
      code: 'unsupported_country_region_territory',
      message: 'Nope.',
    });
    expect(await failure()).toMatchObject({
      status: 403,
      code: 'unsupported_country_region_territory',
      message: '403 Nope.',
    });
  });

  it('answers 429 with retry-after when a rate limit is scripted', async () => {
    emulator.faults.enqueue({ type: 'rate_limit', retryAfterS: 7 });
    const error = await failure();
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      type: 'requests',
      code: 'rate_limit_exceeded',
      message: '429 Rate limit reached for requests',
    });
    expect((error.headers as Headers).get('retry-after')).toBe('7');
  });

  it('answers 429 insufficient_quota without retry-after when quota is exhausted', async () => {
    emulator.faults.enqueue({ type: 'insufficient_quota' });
    const error = await failure();
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect((error.headers as Headers).get('retry-after')).toBeNull();
  });

  it('answers the safety refusal body when moderation is scripted', async () => {
    emulator.faults.enqueue({ type: 'moderation' });
    const response = await fetch(`${emulator.url}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: 'Your request was rejected by the safety system. safety_violations=[violence].',
        type: 'image_generation_user_error',
        param: null,
        code: 'moderation_blocked',
      },
      moderation_details: { moderation_stage: 'input', categories: ['violence'] },
    });
  });

  it('returns only k images when a partial result is scripted', async () => {
    emulator.faults.enqueue({ type: 'partial', images: 1 });
    const result = await client.images.generate({ prompt: 'three cats', n: 3 });
    expect(result.data).toHaveLength(1);
    expect(result.usage?.output_tokens).toBe(1056);
  });

  it('refuses at the output stage when everything is filtered, and keeps the survivors otherwise', async () => {
    emulator.faults.enqueue({ type: 'filtered' }, { type: 'filtered', images: 2 });
    const refused = await failure('three cats', 3);
    expect(refused).toBeInstanceOf(BadRequestError);
    expect(refused.code).toBe('moderation_blocked');
    const result = await client.images.generate({ prompt: 'three cats', n: 3 });
    expect(result.data).toHaveLength(2);
  });

  it('answers 500 when generation fails after acceptance', async () => {
    emulator.faults.enqueue({ type: 'failed', message: 'render crashed' });
    const error = await failure();
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.message).toContain('render crashed');
  });

  it('delays the answer when latency is scripted', async () => {
    emulator.faults.enqueue({ type: 'latency', ms: 200 });
    const started = performance.now();
    await client.images.generate({ prompt: 'wait' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('never answers a hang until the client aborts', async () => {
    emulator.faults.enqueue({ type: 'hang' });
    const abort = new AbortController();
    const pending = client.images.generate({ prompt: 'hang' }, { signal: abort.signal });
    await expect(Promise.race([pending, new Promise((r) => setTimeout(() => r('waiting'), 300))])).resolves.toBe(
      'waiting',
    );
    abort.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    await expect.poll(() => emulator.stats().byStatus.aborted).toBe(1);
    expect(emulator.stats().inFlight).toBe(0);
  });

  it('applies faults only to valid requests so a bad request does not consume the script', async () => {
    emulator.faults.enqueue({ type: 'error', status: 500 });
    await expect(client.images.generate({ prompt: '' })).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.images.generate({ prompt: 'x' })).rejects.toBeInstanceOf(InternalServerError);
    await expect(client.images.generate({ prompt: 'x' })).resolves.toBeDefined();
  });
});

describe('random fault rates', () => {
  it('fails every call when error500 is 1 and recovers after reset', async () => {
    emulator.faults.configure({ rates: { error500: 1 } });
    expect(await failure()).toBeInstanceOf(InternalServerError);
    emulator.faults.configure({ rates: { rateLimit429: 1, retryAfterS: 3 } });
    expect((((await failure()) as Record<string, unknown>).headers as Headers).get('retry-after')).toBe('3');
    emulator.faults.reset();
    await expect(client.images.generate({ prompt: 'x' })).resolves.toBeDefined();
  });

  it('lets the SDK retry through scripted 429 and 503 when maxRetries allows', async () => {
    emulator.faults.configure({
      script: [
        { type: 'rate_limit', retryAfterS: 0 },
        { type: 'error', status: 503 },
      ],
    });
    const retrying = new OpenAI({ apiKey: emulator.apiKey, baseURL: emulator.url, maxRetries: 2 });
    await expect(retrying.images.generate({ prompt: 'x' })).resolves.toBeDefined();
    expect(emulator.stats().byStatus).toEqual({ '429': 1, '503': 1, '200': 1 });
  });
});

describe('prompt directives', () => {
  it.each([
    ['[emulate:moderation]', BadRequestError, 'moderation_blocked'],
    ['[emulate:500]', InternalServerError, null],
    ['[emulate:429]', RateLimitError, 'rate_limit_exceeded'],
  ] as const)('fails with %s for that request only', async (directive, errorClass, code) => {
    emulator.faults.enqueue({ type: 'error', status: 502 });
    const error = await failure(`a cat ${directive}`);
    expect(error).toBeInstanceOf(errorClass);
    expect(error.code).toBe(code);
    expect(emulator.faults.state().pending).toHaveLength(1);
  });

  it('sets retry-after when the directive carries one', async () => {
    const error = await failure('x [emulate:429:retry-after=2]');
    expect((error.headers as Headers).get('retry-after')).toBe('2');
  });

  it('returns k images when partial is requested in the prompt', async () => {
    const result = await client.images.generate({ prompt: 'dogs [emulate:partial=3]', n: 5 });
    expect(result.data).toHaveLength(3);
  });

  it('delays by the latency directive', async () => {
    const started = performance.now();
    await client.images.generate({ prompt: 'x [emulate:latency=300]' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });

  it('hangs until aborted when the prompt says hang', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    await expect(client.images.generate({ prompt: '[emulate:hang]' }, { signal: abort.signal })).rejects.toBeInstanceOf(
      APIUserAbortError,
    );
  });
});

describe('HTTP control API', () => {
  it('appends a script, reports state and resets when called over HTTP', async () => {
    const posted = await control('POST', 'faults', { script: [{ type: 'error', status: 503 }], latencyMs: 0 });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toMatchObject({ pending: [{ type: 'error', status: 503 }] });
    await control('POST', 'faults', { script: [{ type: 'ok' }] });
    expect(emulator.faults.state().pending).toHaveLength(2);
    expect(await failure()).toBeInstanceOf(InternalServerError);
    expect((await control('DELETE', 'faults')).status).toBe(200);
    expect(emulator.faults.state().pending).toHaveLength(0);
  });

  it('rejects a malformed fault config with 400', async () => {
    const response = await control('POST', 'faults', { script: [{ type: 'boom' }] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining('unknown fault type') } });
  });

  it('counts calls, statuses, times and bodies, and resets over HTTP', async () => {
    const before = Date.now();
    await client.images.generate({ prompt: 'one' });
    emulator.faults.enqueue({ type: 'rate_limit', retryAfterS: 1 });
    await failure('two');
    await expect(client.images.generate({ prompt: 'three', size: '1x1' })).rejects.toBeInstanceOf(BadRequestError);
    const stats = (await (await control('GET', 'stats')).json()) as ReturnType<RunningEmulator['stats']>;
    expect(stats).toMatchObject({ calls: 3, byStatus: { '200': 1, '429': 1, '400': 1 }, inFlight: 0 });
    expect(stats.callTimes).toHaveLength(3);
    expect(stats.callTimes[0]).toBeGreaterThanOrEqual(before);
    expect(stats.lastRequests.map((body) => (body as { prompt: string }).prompt)).toEqual(['one', 'two', 'three']);
    await control('DELETE', 'stats');
    expect(emulator.stats()).toMatchObject({ calls: 0, byStatus: {}, callTimes: [], lastRequests: [] });
  });
});

describe('close', () => {
  it('returns promptly and drops the socket when a request is hanging', async () => {
    const doomed = await startOpenAIEmulator();
    const sdk = new OpenAI({ apiKey: doomed.apiKey, baseURL: doomed.url, maxRetries: 0 });
    doomed.faults.enqueue({ type: 'hang' });
    const pending = sdk.images.generate({ prompt: 'forever' });
    await expect.poll(() => doomed.stats().inFlight).toBe(1);
    const started = performance.now();
    await doomed.close();
    expect(performance.now() - started).toBeLessThan(500);
    await expect(pending).rejects.toBeInstanceOf(APIConnectionError);
    expect(doomed.stats().byStatus).toEqual({ aborted: 1 });
  });

  it('returns promptly when a client stalls halfway through its request body', async () => {
    const doomed = await startOpenAIEmulator();
    const socket = connect(doomed.port, '127.0.0.1');
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      'POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-emulator\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"prompt":',
    );
    await expect.poll(() => doomed.stats().inFlight).toBe(1);
    const started = performance.now();
    await doomed.close();
    expect(performance.now() - started).toBeLessThan(500);
    await socketClosed;
  });
});
