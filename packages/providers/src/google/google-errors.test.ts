import { createServer } from 'node:net';
import { GatewayError } from '@imagegate/core';
import type { ScriptedFault } from '@imagegate/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImageProvider, ProviderImageRequest } from '../spec.ts';
import { createGoogleImageProvider } from './google-image-provider.ts';
import {
  geminiApiConfig,
  imageRequest,
  type RunningGoogleEmulator,
  startGoogleEmulator,
  vertexConfig,
} from './google-test-helpers.ts';

let emulator: RunningGoogleEmulator;
let viaVertex: ImageProvider;
let viaApiKey: ImageProvider;
/** Every error a test saw, checked for leaked credentials at the end. */
const thrown: unknown[] = [];

beforeAll(async () => {
  emulator = await startGoogleEmulator();
  viaVertex = createGoogleImageProvider({ vertex: vertexConfig(emulator) });
  viaApiKey = createGoogleImageProvider({ geminiApi: geminiApiConfig(emulator) });
});
afterEach(() => emulator.faults.reset());
afterAll(() => emulator.close());

const gemini = (overrides: Partial<ProviderImageRequest> = {}) =>
  imageRequest({ protocol: 'gemini', providerModel: 'gemini-2.5-flash-image', size: '1024x1024', ...overrides });

async function failure(provider: ImageProvider, request: ProviderImageRequest, signal?: AbortSignal) {
  const error = await provider.generate(request, { signal }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  thrown.push(error);
  return error;
}

interface Expected {
  status: number;
  type: string;
  code: string;
  param?: string | null;
  retryable: boolean;
  retryAfterMs?: number | undefined;
}

const invalid = { status: 400, type: 'invalid_request_error', param: null, retryable: false };
const upstream = (code: string, retryable: boolean) => ({ status: 502, type: 'upstream_error', code, retryable });
const moderation = { status: 400, type: 'invalid_request_error', code: 'moderation_blocked', retryable: false };

describe('createGoogleImageProvider upstream errors', () => {
  const cases: [string, 'vertex' | 'apiKey', ProviderImageRequest, ScriptedFault, Expected][] = [
    ['a 400', 'vertex', imageRequest(), { type: 'error', status: 400 }, { ...invalid, code: 'invalid_value' }],
    // On Vertex a 401 is first answered with a fresh token (google-auth.test.ts).
    ['a 401', 'apiKey', gemini(), { type: 'error', status: 401 }, upstream('upstream_auth', false)],
    ['a 403', 'vertex', imageRequest(), { type: 'error', status: 403 }, upstream('upstream_auth', false)],
    ['a 404', 'vertex', imageRequest(), { type: 'error', status: 404 }, upstream('upstream_model_not_found', false)],
    ['a 500', 'vertex', imageRequest(), { type: 'error', status: 500 }, upstream('upstream_error', true)],
    ['a 503', 'apiKey', gemini(), { type: 'error', status: 503 }, upstream('upstream_error', true)],
    ['a failed render', 'vertex', gemini(), { type: 'failed' }, upstream('upstream_error', true)],
    [
      'a Gemini API 429 with RetryInfo',
      'apiKey',
      gemini(),
      { type: 'rate_limit', retryAfterS: 2 },
      { ...upstream('upstream_rate_limited', true), retryAfterMs: 2000 },
    ],
    [
      'a Vertex 429 without a retry hint',
      'vertex',
      imageRequest(),
      { type: 'rate_limit', retryAfterS: 2 },
      { ...upstream('upstream_rate_limited', true), retryAfterMs: undefined },
    ],
    [
      'Vertex billing disabled',
      'vertex',
      imageRequest(),
      { type: 'insufficient_quota' },
      upstream('upstream_quota', false),
    ],
    ['a daily Gemini API quota', 'apiKey', gemini(), { type: 'insufficient_quota' }, upstream('upstream_quota', false)],
    ['a refused Imagen prompt', 'vertex', imageRequest(), { type: 'moderation' }, moderation],
    ['a refused Gemini prompt', 'apiKey', gemini(), { type: 'moderation' }, moderation],
    ['every Imagen sample filtered', 'vertex', imageRequest({ n: 2 }), { type: 'filtered' }, moderation],
    ['a filtered Gemini image', 'vertex', gemini(), { type: 'filtered' }, moderation],
    [
      'a Gemini answer without image',
      'apiKey',
      gemini(),
      { type: 'partial', images: 0 },
      upstream('upstream_no_image', true),
    ],
    [
      'an Imagen answer without image',
      'vertex',
      imageRequest(),
      { type: 'partial', images: 0 },
      upstream('upstream_no_image', true),
    ],
  ];

  it.each(cases)('maps %s', async (_name, via, request, fault, expected) => {
    emulator.faults.enqueue(fault);
    const error = await failure(via === 'vertex' ? viaVertex : viaApiKey, request);
    expect(error).toMatchObject(expected);
  });

  it('keeps Google text out of credential errors, which may name our project', async () => {
    emulator.faults.enqueue({ type: 'error', status: 403, message: `Permission denied on ${emulator.projectId}` });
    const error = await failure(viaVertex, imageRequest());
    expect(error.message).toBe('Google refused our credentials.');
  });

  it('passes Google text on for a bad request, with our API key removed', async () => {
    emulator.faults.enqueue({ type: 'error', status: 400, message: `Bad field near key=${emulator.apiKey}` });
    const error = await failure(viaApiKey, gemini());
    expect(error.message).toBe('Bad field near key=[redacted]');
  });

  it('maps a model Vertex does not know to upstream_model_not_found', async () => {
    const error = await failure(viaVertex, imageRequest({ providerModel: 'imagen-0.1-generate-001' }));
    expect(error).toMatchObject(upstream('upstream_model_not_found', false));
  });

  it('maps a wrong Gemini API key, a 400 from Google, to upstream_auth', async () => {
    const wrongKey = 'AIzaSy-not-the-right-key';
    const provider = createGoogleImageProvider({ geminiApi: { apiKey: wrongKey, baseURL: emulator.url } });
    const error = await failure(provider, gemini());
    expect(error).toMatchObject(upstream('upstream_auth', false));
    expect(JSON.stringify(error)).not.toContain(wrongKey);
  });

  it('keeps the images that survived the safety filter and says how many were withheld', async () => {
    emulator.faults.enqueue({ type: 'filtered', images: 1 });
    const result = await viaVertex.generate(imageRequest({ n: 3 }), {});
    expect(result.images).toHaveLength(1);
    expect(result.warnings).toEqual(["2 of 3 images were withheld by Google's safety filter."]);
  });
});

describe('createGoogleImageProvider transport failures', () => {
  it('throws the 499 aborted error when the caller aborts a hanging call', async () => {
    emulator.faults.enqueue({ type: 'hang' });
    const error = await failure(viaVertex, imageRequest(), AbortSignal.timeout(150));
    expect(error).toMatchObject({ status: 499, code: 'aborted' });
  });

  it('throws a retryable timeout when Google does not answer within timeoutMs', async () => {
    const provider = createGoogleImageProvider({ geminiApi: geminiApiConfig(emulator), timeoutMs: 150 });
    emulator.faults.enqueue({ type: 'hang' });
    const error = await failure(provider, gemini());
    expect(error).toMatchObject({ status: 504, type: 'timeout', retryable: true });
  });

  it('throws a retryable upstream_unreachable when nothing listens', async () => {
    const provider = createGoogleImageProvider({
      geminiApi: { apiKey: emulator.apiKey, baseURL: await closedOrigin() },
    });
    const error = await failure(provider, gemini());
    expect(error).toMatchObject(upstream('upstream_unreachable', true));
  });
});

describe('createGoogleImageProvider secrets', () => {
  it('never puts the API key or an access token in an error message or its JSON', () => {
    expect(thrown.length).toBeGreaterThan(20);
    for (const error of thrown) {
      const texts = [JSON.stringify(error), String(error), String((error as Error).cause)];
      for (const text of texts) {
        expect(text).not.toContain(emulator.apiKey);
        expect(text).not.toContain('ya29.');
      }
    }
  });
});

/** An origin on a port that was just free, so connecting is refused. */
async function closedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}
